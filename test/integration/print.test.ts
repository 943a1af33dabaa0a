import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectPrinter } from '../../src/app.js';
import { parsePrinterSettings } from '../../src/config/printer-settings.js';
import { silentLogger } from '../../src/core/log.js';
import { openJobSource } from '../../src/printer/job-source.js';
import type { JobResult } from '../../src/printer/sender/types.js';
import { jobCommands, startVirtualPrinter } from '../helpers/virtual-printer-process.js';

const dir = mkdtempSync(join(tmpdir(), 'printos-it-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A job of `n` distinct moves (each line unique, so a gap, duplicate or reorder shows). */
function job(n: number, prefix: string[] = []): { path: string; commands: string[] } {
  const commands = [...prefix];
  for (let i = 0; i < n; i++)
    commands.push(`G1 X${(i % 200).toFixed(1)} Y${Math.floor(i / 200)} E${i}`);
  const path = join(
    dir,
    `job-${n}-${commands.length}-${Math.random().toString(36).slice(2)}.gcode`,
  );
  writeFileSync(path, `; test job\n${commands.join(' ; c\n')}\n`);
  return { path, commands };
}

async function printOn(
  vpArgs: string[],
  file: string,
  overrides: Record<string, unknown> = {},
): Promise<{ result: JobResult; executed: string[]; stats: Record<string, number> }> {
  const vp = await startVirtualPrinter(vpArgs);
  const driver = await connectPrinter({
    path: vp.path,
    settings: parsePrinterSettings({ resetOnConnect: false, ...overrides }),
    log: silentLogger(),
  });
  const result = await driver.print(await openJobSource(file));
  await driver.stop();
  const { executed, stats } = await vp.stop();
  return { result, executed: jobCommands(executed), stats };
}

describe('printing over a pty to the virtual printer', () => {
  it('prints a file: the executed sequence equals the file, and RX never overflows', async () => {
    const { path, commands } = job(3000, ['G28', 'M109 S200']);
    const { result, executed, stats } = await printOn(
      ['--latency', '1', '--move-time', '0.2'],
      path,
    );
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
    expect(stats.bytesReceived).toBeGreaterThan(0);
    expect(stats.rxBytesDropped).toBe(0);
  });

  it.each([
    ['a small RX buffer', ['--rx-buffer', '64', '--command-buffer', '2']],
    ['no ADVANCED_OK', ['--no-advanced-ok']],
    ['a slow wire', ['--baud', '115200', '--latency', '4']],
  ])('never overflows the RX buffer with %s', async (_, args) => {
    const { path, commands } = job(1500);
    const { result, executed, stats } = await printOn(args, path);
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
    expect(stats.bytesReceived).toBeGreaterThan(0);
    expect(stats.rxBytesDropped).toBe(0);
  });

  it('fails fast, naming the settings, when told a bigger RX buffer than the firmware has', async () => {
    // Overflowing RX drops bytes at random; fragments that survive can even parse as commands,
    // so no resend scheme makes this safe: the window must never overflow, and a wrong setting
    // must stop the job quickly with a message that points at it.
    const { path } = job(800);
    const tight = [
      '--rx-buffer',
      '40',
      '--command-buffer',
      '1',
      '--planner',
      '2',
      '--move-time',
      '2',
    ];
    const { result, stats } = await printOn(tight, path, { rxBufferBytes: 256 });
    expect(stats.rxBytesDropped).toBeGreaterThan(0);
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('RESEND_LIMIT');
    expect(result.error?.message).toMatch(/receive-buffer/);
  });

  it('recovers from corrupted lines with resends', async () => {
    const { path, commands } = job(1000);
    const faults = 'corrupt@40,corrupt@41,corrupt@300,corrupt@301,corrupt@302,corrupt@900';
    const { result, executed } = await printOn(['--faults', faults], path);
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
  });

  it('survives spurious resend requests without executing a line twice', async () => {
    const { path, commands } = job(600);
    const { result, executed } = await printOn(
      ['--faults', 'spurious-resend@100,spurious-resend@400'],
      path,
    );
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
  });

  it('recovers a lost ok with ADVANCED_OK at the next ok', async () => {
    const { path, commands } = job(500);
    const { result, executed } = await printOn(['--faults', 'drop-ok@100,drop-ok@250'], path);
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
  });

  it('recovers a lost ok without ADVANCED_OK: a probe after the timeout, nothing sent twice', async () => {
    const { path, commands } = job(200);
    // the last job line is N201 (the handshake used N0 and N1; M155 is N2): drop the ok of the last one
    const { result, executed } = await printOn(
      ['--no-advanced-ok', '--faults', 'drop-ok@202'],
      path,
      { commandSlots: 1 },
    );
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
  }, 20_000);

  it('keeps a long command alive with busy keepalives', async () => {
    const { path, commands } = job(50, ['G28']);
    const { result, executed } = await printOn(
      ['--home-time', '7000', '--busy-interval', '1000'],
      path,
    );
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
  }, 20_000);

  it('fails cleanly on a firmware reset in mid-print, naming the last acknowledged line', async () => {
    const { path } = job(1000);
    const { result } = await printOn(['--faults', 'reset@500'], path);
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('FIRMWARE_RESET');
    expect(result.lastAckedFileLine).toBeGreaterThan(400);
    expect(result.lastAckedFileLine).toBeLessThan(500);
    expect(result.error?.message).toContain(`file line ${result.lastAckedFileLine}`);
  });

  it('fails cleanly when the port vanishes in mid-print', async () => {
    const { path } = job(1000);
    const { result } = await printOn(['--faults', 'disconnect@500'], path);
    expect(result.outcome).toBe('failed');
    expect(result.error?.code).toBe('PORT_LOST');
    expect(result.lastAckedFileLine).toBeGreaterThan(400);
  });

  it('prints in ping-pong mode', async () => {
    const { path, commands } = job(300);
    const { result, executed } = await printOn([], path, { flow: 'ping-pong' });
    expect(result.outcome).toBe('completed');
    expect(executed).toEqual(commands);
  });
});
