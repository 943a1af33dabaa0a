import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../core/log.js';
import {
  decodeThrottled,
  GET_THROTTLED_PATH,
  type PowerFileDeps,
  PowerMonitor,
  type PowerState,
  parseThrottled,
  powerWarning,
  readThrottled,
  type ThrottledReading,
} from './power.js';

describe('parseThrottled', () => {
  it.each([
    ['0\n', 0],
    ['50005\n', 0x50005],
    ['0x50005', 0x50005],
    ['throttled=0x80008\n', 0x80008],
    ['E0000', 0xe0000],
    ['', undefined],
    ['zz', undefined],
    ['0x', undefined],
    ['123456789', undefined],
    ['-1', undefined],
  ])('%j → %s', (text, mask) => {
    expect(parseThrottled(text)).toBe(mask);
  });
});

describe('decodeThrottled', () => {
  it.each([
    [0x0, { underVoltageNow: false, underVoltageOccurred: false, throttledNow: false }],
    [0x1, { underVoltageNow: true, underVoltageOccurred: false, throttledNow: false }],
    [0x4, { underVoltageNow: false, underVoltageOccurred: false, throttledNow: true }],
    [0x10000, { underVoltageNow: false, underVoltageOccurred: true, throttledNow: false }],
    [0x50005, { underVoltageNow: true, underVoltageOccurred: true, throttledNow: true }],
    [0x80008, { underVoltageNow: false, underVoltageOccurred: false, throttledNow: false }],
  ])('0x%s', (mask, expected) => {
    expect(decodeThrottled(mask)).toMatchObject(expected);
  });

  it('reads the frequency cap and the soft temperature limit', () => {
    expect(decodeThrottled(0xa)).toMatchObject({
      frequencyCappedNow: true,
      softTempLimitNow: true,
    });
  });
});

function files(table: Record<string, string>, dirs: Record<string, string[]> = {}): PowerFileDeps {
  return {
    readText: async (path) => table[path],
    listDir: async (path) => dirs[path] ?? [],
  };
}

describe('readThrottled', () => {
  const hwmon = {
    '/sys/class/hwmon/hwmon0/name': 'cpu_thermal\n',
    '/sys/class/hwmon/hwmon1/name': 'rpi_volt\n',
  };
  const dirs = { '/sys/class/hwmon': ['hwmon1', 'hwmon0'] };

  it('prefers hwmon (reading the deprecated firmware file warns in the kernel log)', async () => {
    const reading = await readThrottled(
      files(
        {
          [GET_THROTTLED_PATH]: '50005\n',
          ...hwmon,
          '/sys/class/hwmon/hwmon1/in0_lcrit_alarm': '1\n',
        },
        dirs,
      ),
    );
    expect(reading).toMatchObject({ source: 'hwmon', underVoltageNow: true });
  });

  it('reads the firmware mask where there is no rpi_volt hwmon device', async () => {
    const reading = await readThrottled(files({ [GET_THROTTLED_PATH]: '50005\n' }, {}));
    expect(reading).toMatchObject({
      source: 'firmware',
      underVoltageNow: true,
      throttledNow: true,
    });
  });

  it.each([
    ['1\n', true],
    ['0\n', false],
  ])('falls back to rpi_volt in0_lcrit_alarm %j', async (alarm, low) => {
    const reading = await readThrottled(
      files(
        {
          [GET_THROTTLED_PATH]: 'garbage',
          ...hwmon,
          '/sys/class/hwmon/hwmon1/in0_lcrit_alarm': alarm,
        },
        dirs,
      ),
    );
    expect(reading).toEqual({
      source: 'hwmon',
      underVoltageNow: low,
      underVoltageOccurred: low,
      throttledNow: false,
      frequencyCappedNow: false,
      softTempLimitNow: false,
    });
  });

  it('is undefined where neither exists (not a Pi)', async () => {
    expect(await readThrottled(files({}, {}))).toBeUndefined();
    expect(
      await readThrottled(files({ '/sys/class/hwmon/hwmon0/name': 'cpu_thermal\n' }, dirs)),
    ).toBeUndefined();
  });

  it('is undefined when rpi_volt has no readable alarm', async () => {
    expect(await readThrottled(files(hwmon, dirs))).toBeUndefined();
  });
});

describe('powerWarning', () => {
  const base: PowerState = {
    available: true,
    underVoltageNow: false,
    underVoltageSinceBoot: false,
    throttledNow: false,
  };
  it.each([
    [{ ...base }, false],
    [{ ...base, underVoltageNow: true, underVoltageSinceBoot: true }, true],
    [{ ...base, underVoltageSinceBoot: true }, true],
    [{ ...base, throttledNow: true }, false],
    [{ ...base, available: false, underVoltageNow: true }, false],
  ])('%j → warns: %s', (state, warns) => {
    const warning = powerWarning(state);
    if (warns) expect(warning).toMatch(/under-voltage.*5 V\/3 A/);
    else expect(warning).toBeNull();
  });
});

/** A clock whose timers run when the test says so. */
function fakeClock() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    pending,
    setTimeout: (fn: () => void, ms: number) => {
      const id = next++;
      pending.set(id, { fn, ms });
      return id;
    },
    clearTimeout: (id: unknown) => {
      pending.delete(id as number);
    },
    /** Runs the one pending timer. */
    fire() {
      const [id, timer] = [...pending.entries()][0] ?? [];
      if (id === undefined || !timer) throw new Error('no timer pending');
      pending.delete(id);
      timer.fn();
    },
  };
}

function fakeLog() {
  const log = { warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
  return { log, logger: log as unknown as Logger };
}

function reading(now: boolean, occurred = now): ThrottledReading {
  return {
    source: 'firmware',
    underVoltageNow: now,
    underVoltageOccurred: occurred,
    throttledNow: now,
    frequencyCappedNow: false,
    softTempLimitNow: false,
  };
}

describe('PowerMonitor', () => {
  it('logs the transitions only, not every poll', async () => {
    const sequence = [false, false, true, true, true, false, false, true].map((now) =>
      reading(now),
    );
    const results = [...sequence];
    const { log, logger } = fakeLog();
    const monitor = new PowerMonitor({ read: async () => results.shift(), log: logger });
    const states: PowerState[] = [];
    for (let i = 0; i < sequence.length; i++) states.push(await monitor.poll());
    expect(states.map((s) => s.underVoltageNow)).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
    // Once seen, under-voltage stays in "since boot" even when the board's sticky bit is cleared.
    expect(states.map((s) => s.underVoltageSinceBoot)).toEqual([
      false,
      false,
      true,
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(log.warn).toHaveBeenCalledTimes(2);
    expect(log.info).toHaveBeenCalledTimes(1);
    expect(log.warn.mock.calls[0]?.[1]).toMatch(/under-voltage/);
    expect(log.info.mock.calls[0]?.[1]).toMatch(/back to normal/);
  });

  it('warns once when the board reports earlier under-voltage at the first read', async () => {
    const results = [reading(false, true), reading(false, true)];
    const { log, logger } = fakeLog();
    const monitor = new PowerMonitor({ read: async () => results.shift(), log: logger });
    await monitor.poll();
    await monitor.poll();
    expect(log.warn).toHaveBeenCalledTimes(1);
    expect(monitor.state()).toMatchObject({ underVoltageNow: false, underVoltageSinceBoot: true });
    expect(powerWarning(monitor.state())).not.toBeNull();
  });

  it('is unavailable where there is nothing to read, and survives a failing read', async () => {
    const { log, logger } = fakeLog();
    let fail = false;
    const monitor = new PowerMonitor({
      read: async () => {
        if (fail) throw new Error('EIO');
        return undefined;
      },
      log: logger,
    });
    expect((await monitor.poll()).available).toBe(false);
    fail = true;
    expect((await monitor.poll()).available).toBe(false);
    expect(log.warn).not.toHaveBeenCalled();
  });

  it('keeps the last state when a read fails after one succeeded', async () => {
    const results: (ThrottledReading | undefined)[] = [reading(true), undefined, reading(true)];
    const { log, logger } = fakeLog();
    const monitor = new PowerMonitor({ read: async () => results.shift(), log: logger });
    await monitor.poll();
    expect((await monitor.poll()).underVoltageNow).toBe(true);
    await monitor.poll();
    expect(log.warn).toHaveBeenCalledTimes(1);
  });

  it('polls every period from start() until stop()', async () => {
    const clock = fakeClock();
    const read = vi.fn(async () => reading(false));
    const monitor = new PowerMonitor({ read, log: fakeLog().logger, clock, periodMs: 1234 });
    monitor.start();
    await vi.waitFor(() => expect(clock.pending.size).toBe(1));
    expect(read).toHaveBeenCalledTimes(1);
    expect([...clock.pending.values()][0]?.ms).toBe(1234);
    expect(monitor.state().available).toBe(true);
    clock.fire();
    await vi.waitFor(() => expect(clock.pending.size).toBe(1));
    expect(read).toHaveBeenCalledTimes(2);
    monitor.stop();
    expect(clock.pending.size).toBe(0);
  });

  it('does not schedule again when stopped during a read', async () => {
    const clock = fakeClock();
    let release: (value: ThrottledReading) => void = () => {};
    const read = vi.fn(() => new Promise<ThrottledReading>((resolve) => (release = resolve)));
    const monitor = new PowerMonitor({ read, log: fakeLog().logger, clock });
    monitor.start();
    monitor.stop();
    release(reading(false));
    await new Promise((resolve) => setImmediate(resolve));
    expect(clock.pending.size).toBe(0);
  });
});
