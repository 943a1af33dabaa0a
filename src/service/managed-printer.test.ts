import { describe, expect, it } from 'vitest';
import { EventBus } from '../core/events.js';
import { silentLogger } from '../core/log.js';
import type { PrinterDriver } from '../printer/driver.js';
import type { JobSource } from '../printer/job-source.js';
import { ManagedPrinter } from './managed-printer.js';

/** A driver whose print ends only when `finish()` is called (or never). */
function fakeDriver() {
  const calls: string[] = [];
  let finish: () => void = () => {};
  const driver = {
    events: new EventBus(),
    status: () => ({ state: 'ready', temperatures: [], job: null }),
    print: () => {
      calls.push('print');
      return new Promise((resolve) => {
        finish = () => resolve({ outcome: 'cancelled' });
      });
    },
    cancel: () => calls.push('cancel'),
    emergencyStop: () => calls.push('emergency-stop'),
    stop: async () => {
      calls.push('stop');
    },
  };
  return { driver: driver as unknown as PrinterDriver, calls, finish: () => finish() };
}

async function printing(stopTimeoutMs: number) {
  const fake = fakeDriver();
  const printer = new ManagedPrinter({
    key: 'p1',
    identity: { VID: 'TEST', PID: '0001', SNR: 'p1' },
    name: 'Test',
    connect: async () => fake.driver,
    openJob: async () => ({ close: async () => {} }) as unknown as JobSource,
    log: silentLogger(),
    stopTimeoutMs,
  });
  printer.start();
  for (let i = 0; i < 50 && printer.snapshot().state !== 'ready'; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await printer.startJob({ path: '/x.gcode', filename: 'x.gcode' });
  return { printer, ...fake };
}

describe('ManagedPrinter.stop during a print', () => {
  it('cancels and waits for the safe stop, then disconnects', async () => {
    const { printer, calls, finish } = await printing(1000);
    const stopped = printer.stop();
    finish();
    expect(await stopped).toEqual({ interruptedJob: 'x.gcode' });
    expect(calls).toEqual(['print', 'cancel', 'stop']);
  });

  it('halts the firmware (M112: heaters off) when the safe stop does not finish in time', async () => {
    const { printer, calls } = await printing(30);
    await printer.stop();
    expect(calls).toEqual(['print', 'cancel', 'emergency-stop', 'stop']);
  });
});
