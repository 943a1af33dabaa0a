/**
 * The Raspberry Pi's power supply: the firmware reports under-voltage, which makes the
 * SD card and USB unreliable (a print can stop mid-way). Read from the firmware driver's
 * get_throttled (a hex mask, the same as `vcgencmd get_throttled`), else from the hwmon
 * device rpi_volt's in0_lcrit_alarm. Elsewhere than on a Pi neither exists: unavailable.
 *
 * get_throttled bits: 0 under-voltage now, 1 ARM frequency capped now, 2 throttled now,
 * 3 soft temperature limit now; 16-19 the same "has occurred" (sticky). The kernel's hwmon
 * driver polls the firmware every 2 s and asks it to clear the sticky bits each time, so
 * where it runs "has occurred" means "in the last poll", not "since boot": the monitor
 * keeps its own memory of under-voltage seen. in0_lcrit_alarm is that last sticky bit.
 * (Newer kernels mark get_throttled deprecated, with a one-time kernel warning on read.)
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/log.js';
import { type LinkClock, SYSTEM_CLOCK } from '../link/loop-timing.js';

export const GET_THROTTLED_PATH = '/sys/devices/platform/soc/soc:firmware/get_throttled';
export const HWMON_DIR = '/sys/class/hwmon';
const HWMON_NAME = 'rpi_volt';

export const BITS = {
  underVoltageNow: 1 << 0,
  frequencyCappedNow: 1 << 1,
  throttledNow: 1 << 2,
  softTempLimitNow: 1 << 3,
  underVoltageOccurred: 1 << 16,
  frequencyCappedOccurred: 1 << 17,
  throttledOccurred: 1 << 18,
  softTempLimitOccurred: 1 << 19,
} as const;

export interface ThrottledReading {
  source: 'firmware' | 'hwmon';
  underVoltageNow: boolean;
  underVoltageOccurred: boolean;
  /** Unknown from hwmon: reported false. */
  throttledNow: boolean;
  frequencyCappedNow: boolean;
  softTempLimitNow: boolean;
}

export interface PowerFileDeps {
  /** A sysfs file's text, or undefined when it cannot be read. */
  readText: (path: string) => Promise<string | undefined>;
  listDir: (path: string) => Promise<string[]>;
}

export const systemPowerFiles: PowerFileDeps = {
  readText: (path) => readFile(path, 'utf8').catch(() => undefined),
  listDir: (path) => readdir(path).catch(() => []),
};

/** get_throttled's text ("50005\n", or "0x50005" as vcgencmd prints it) as a mask. */
export function parseThrottled(text: string): number | undefined {
  const hex = text
    .trim()
    .replace(/^throttled=/, '')
    .replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,8}$/i.test(hex)) return undefined;
  return Number.parseInt(hex, 16);
}

export function decodeThrottled(mask: number): ThrottledReading {
  const has = (bit: number) => (mask & bit) !== 0;
  return {
    source: 'firmware',
    underVoltageNow: has(BITS.underVoltageNow),
    underVoltageOccurred: has(BITS.underVoltageOccurred),
    throttledNow: has(BITS.throttledNow),
    frequencyCappedNow: has(BITS.frequencyCappedNow),
    softTempLimitNow: has(BITS.softTempLimitNow),
  };
}

/** The board's power report, or undefined when this machine has none (not a Pi). */
export async function readThrottled(
  deps: PowerFileDeps = systemPowerFiles,
): Promise<ThrottledReading | undefined> {
  // hwmon first: the firmware file is deprecated and makes the kernel print a warning
  // with a backtrace on its first read after each boot.
  const alarm = await readHwmonAlarm(deps);
  if (alarm) return alarm;
  const text = await deps.readText(GET_THROTTLED_PATH);
  const mask = text === undefined ? undefined : parseThrottled(text);
  return mask === undefined ? undefined : decodeThrottled(mask);
}

async function readHwmonAlarm(deps: PowerFileDeps): Promise<ThrottledReading | undefined> {
  for (const entry of (await deps.listDir(HWMON_DIR)).sort()) {
    const dir = join(HWMON_DIR, entry);
    if ((await deps.readText(join(dir, 'name')))?.trim() !== HWMON_NAME) continue;
    const alarm = (await deps.readText(join(dir, 'in0_lcrit_alarm')))?.trim();
    if (alarm !== '0' && alarm !== '1') return undefined;
    const low = alarm === '1';
    return {
      source: 'hwmon',
      underVoltageNow: low,
      underVoltageOccurred: low,
      throttledNow: false,
      frequencyCappedNow: false,
      softTempLimitNow: false,
    };
  }
  return undefined;
}

export interface PowerState {
  /** The board reports its power at all (a Raspberry Pi). */
  available: boolean;
  underVoltageNow: boolean;
  /** Reported by the board, or seen by this monitor, since it started. */
  underVoltageSinceBoot: boolean;
  throttledNow: boolean;
}

const UNAVAILABLE: PowerState = {
  available: false,
  underVoltageNow: false,
  underVoltageSinceBoot: false,
  throttledNow: false,
};

/** The warning the status and the web interface show, or null when the supply is fine. */
export function powerWarning(state: PowerState): string | null {
  if (!state.available || !(state.underVoltageNow || state.underVoltageSinceBoot)) return null;
  return 'The Raspberry Pi reports under-voltage: use a 5 V/3 A supply; prints may fail.';
}

export interface PowerMonitorDeps {
  read?: () => Promise<ThrottledReading | undefined>;
  /** Between reads; the kernel itself refreshes every 2 s. Default 5 s. */
  periodMs?: number;
  log: Logger;
  clock?: Pick<LinkClock, 'setTimeout' | 'clearTimeout'>;
}

const DEFAULT_PERIOD_MS = 5_000;

/**
 * Polls the board's power report. Logs a warning when under-voltage starts and an info
 * when it ends, never on every poll; state() is what the last read found.
 */
export class PowerMonitor {
  readonly #read: () => Promise<ThrottledReading | undefined>;
  readonly #periodMs: number;
  readonly #log: Logger;
  readonly #clock: Pick<LinkClock, 'setTimeout' | 'clearTimeout'>;
  #state: PowerState = UNAVAILABLE;
  #seenUnderVoltage = false;
  #timer: unknown;
  #running = false;

  constructor(deps: PowerMonitorDeps) {
    this.#read = deps.read ?? (() => readThrottled());
    this.#periodMs = deps.periodMs ?? DEFAULT_PERIOD_MS;
    this.#log = deps.log;
    this.#clock = deps.clock ?? SYSTEM_CLOCK;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#loop();
  }

  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  state(): PowerState {
    return { ...this.#state };
  }

  /** One read: updates the state and logs a transition. Never throws. */
  async poll(): Promise<PowerState> {
    let reading: ThrottledReading | undefined;
    try {
      reading = await this.#read();
    } catch (err) {
      this.#log.debug({ err }, 'cannot read the board power report');
    }
    this.#update(reading);
    return this.state();
  }

  async #loop(): Promise<void> {
    const state = await this.poll();
    if (!this.#running) return;
    // Not a Raspberry Pi (nothing reports power): no board becomes one, so stop reading.
    if (!state.available) {
      this.#running = false;
      return;
    }
    this.#timer = this.#clock.setTimeout(() => void this.#loop(), this.#periodMs);
  }

  #update(reading: ThrottledReading | undefined): void {
    const before = this.#state;
    // Not a Pi: nothing to report. A Pi whose read failed once keeps its last state.
    if (!reading) return;
    const firstReport = !before.available && !this.#seenUnderVoltage;
    this.#seenUnderVoltage ||= reading.underVoltageNow || reading.underVoltageOccurred;
    this.#state = {
      available: true,
      underVoltageNow: reading.underVoltageNow,
      underVoltageSinceBoot: this.#seenUnderVoltage,
      throttledNow: reading.throttledNow,
    };
    if (reading.underVoltageNow && !before.underVoltageNow) {
      this.#log.warn(
        { source: reading.source, throttled: reading.throttledNow },
        'under-voltage: the power supply is too weak (use a 5 V/3 A supply); prints may fail',
      );
    } else if (!reading.underVoltageNow && before.underVoltageNow) {
      this.#log.info({ source: reading.source }, 'supply voltage back to normal');
    } else if (firstReport && reading.underVoltageOccurred) {
      this.#log.warn(
        { source: reading.source },
        'the board reports under-voltage earlier since boot: check the power supply',
      );
    }
  }
}
