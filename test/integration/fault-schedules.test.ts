import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { connectPrinter } from '../../src/app.js';
import { parsePrinterSettings } from '../../src/config/printer-settings.js';
import { silentLogger } from '../../src/core/log.js';
import { openJobSource } from '../../src/printer/job-source.js';
import {
  createMemoryLink,
  type FaultKind,
  VirtualPrinter,
} from '../../src/virtual-printer/index.js';
import { jobCommands } from '../helpers/virtual-printer-process.js';

const dir = mkdtempSync(join(tmpdir(), 'printos-prop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMANDS = Array.from({ length: 150 }, (_, i) => `G1 X${i} Y${(i * 7) % 50} E${i}`);
const FILE = join(dir, 'job.gcode');
writeFileSync(FILE, `${COMMANDS.join('\n')}\n`);

interface Schedule {
  seed: number;
  rate: number;
  kinds: FaultKind[];
  advancedOk: boolean;
  rxBufferBytes: number;
  commandSlots: number;
  latencyMs: number;
}

/** Prints the job on an in-process virtual printer with the given faults; returns what it executed. */
async function printWith(schedule: Schedule): Promise<{ outcome: string; executed: string[] }> {
  const link = createMemoryLink();
  const printer = new VirtualPrinter(
    {
      seed: schedule.seed,
      faultRate: schedule.rate,
      faultKinds: schedule.kinds,
      advancedOk: schedule.advancedOk,
      rxBufferBytes: schedule.rxBufferBytes,
      commandSlots: schedule.commandSlots,
      latencyMs: schedule.latencyMs,
      baud: 0,
    },
    { link: link.printerSide },
  );
  printer.start();
  const driver = await connectPrinter({
    path: 'memory',
    settings: parsePrinterSettings({
      resetOnConnect: false,
      rxBufferBytes: schedule.rxBufferBytes,
    }),
    log: silentLogger(),
    open: async () => link.host,
    // a lost ok without ADVANCED_OK waits for the probe; keep the property fast
    tuning: { timeouts: { okMs: 150, longCommandMs: 1000, busyMs: 1000, maxProbes: 5 } },
  });
  const result = await driver.print(await openJobSource(FILE));
  await driver.stop();
  await printer.close();
  return {
    outcome: `${result.outcome}${result.error ? `: ${result.error.message}` : ''}`,
    executed: jobCommands(printer.executed()),
  };
}

const schedules = fc.record({
  seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  rate: fc.double({ min: 0, max: 0.08, noNaN: true }),
  kinds: fc.subarray(['corrupt', 'drop-ok', 'spurious-resend'] as FaultKind[], { minLength: 1 }),
  advancedOk: fc.boolean(),
  rxBufferBytes: fc.constantFrom(64, 96, 128),
  commandSlots: fc.integer({ min: 1, max: 8 }),
  latencyMs: fc.constantFrom(0, 0.5, 2),
});

describe('random fault schedules', () => {
  it('always yield an executed sequence equal to the file', async () => {
    await fc.assert(
      fc.asyncProperty(schedules, async (schedule) => {
        const { outcome, executed } = await printWith(schedule);
        expect(outcome).toBe('completed');
        expect(executed).toEqual(COMMANDS);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  }, 120_000);
});
