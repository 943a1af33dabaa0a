/**
 * SIGTERM (what systemd sends to stop the unit) stops the client service cleanly:
 * a print in progress is cancelled the safe way (the job stops, then heaters and fan go
 * off), the printer's port is released, the data directory keeps every file whole and
 * loses its pid file, and the process exits 0. Real processes throughout: a virtual
 * printer with its recorder on a pty, `printos printers add`, and `printos start`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectPrinter } from '../../src/app.js';
import { parsePrinterSettings } from '../../src/config/printer-settings.js';
import { silentLogger } from '../../src/core/log.js';
import type { HeaterReading } from '../../src/gcode/messages.js';
import {
  type ExecutedCommand,
  startVirtualPrinter,
  type VirtualPrinterRun,
} from '../helpers/virtual-printer-process.js';
import { eventually, type LongRun, localApi, printos, spawnPrintos } from './processes.js';

/**
 * What the sender sends after a cancelled job's lines drained (cancelCommands in
 * src/printer/sender/types.ts, the default of every printer's settings): quick stop,
 * heaters off, fan off. Written out here so that dropping one of them fails this test.
 */
const SAFE_STOP = ['M410', 'M104 S0', 'M140 S0', 'M107'];
/** The job's moves: 3000 of them at 10 ms each keep the printer busy for ~30 s. */
const MOVES = 3000;
/** Generous on a loaded machine (it takes well under 1 s); the managed printer's own bound is 60 s. */
const EXIT_WITHIN_MS = 10_000;
const IDLE_EXIT_WITHIN_MS = 5_000;

interface PrinterView {
  id: string;
  state: string;
  job: { filename: string; percent: number; line: number } | null;
}

let base: string;
let dataDir: string;
let printer: VirtualPrinterRun;
let printerStopped: Promise<ExecutedCommand[]> | undefined;
let service: LongRun | undefined;

beforeEach(async () => {
  base = mkdtempSync(join(tmpdir(), 'printos-sigterm-'));
  dataDir = join(base, 'data');
  printerStopped = undefined;
  printer = await startVirtualPrinter(['--move-time', '10', '--heat-rate', '2']);
});

afterEach(async () => {
  await service?.stop('SIGKILL');
  service = undefined;
  await stopPrinter();
  rmSync(base, { recursive: true, force: true });
}, 30_000);

/** Stops the virtual printer once; its record is complete after that. */
function stopPrinter(): Promise<ExecutedCommand[]> {
  printerStopped ??= printer.stop().then((r) => r.executed);
  return printerStopped;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `printos printers add` for the virtual printer's pty, then `printos start --offline`.
 * The embedded cloud starts even offline: it gets a free port, not the default 8010
 * other tests may hold.
 */
async function startService(): Promise<{ id: string; api: ReturnType<typeof localApi> }> {
  const port = String(await freePort());
  // Two files, two commands: they may run side by side.
  const [set, add] = await Promise.all([
    printos(['config', 'set', 'cloud.embeddedPort', port, '--data-dir', dataDir]),
    printos(['printers', 'add', '--port', printer.path, '--data-dir', dataDir]),
  ]);
  expect(set.code, set.stderr).toBe(0);
  expect(add.code, add.stderr).toBe(0);
  const id = add.stdout.match(/Added printer (\S+) on/)?.[1];
  expect(id, add.stdout).toBeDefined();
  service = spawnPrintos([
    'start',
    '--offline',
    '--no-browser',
    '--local-port',
    '0',
    '--data-dir',
    dataDir,
  ]);
  await service.waitFor(/web interface and local API on http:\/\/127\.0\.0\.1:\d+/);
  const api = localApi(dataDir);
  await eventually(async () => {
    const view = await api<PrinterView>('GET', `/api/printers/${id}`);
    return view.state === 'ready' ? true : undefined;
  }, 'the printer ready');
  return { id: id as string, api };
}

/** Sends SIGTERM; a service still running after `withinMs` is killed (and fails the test). */
async function terminate(run: LongRun, withinMs: number): Promise<number | null> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), withinMs);
  const code = await run.stop('SIGTERM');
  clearTimeout(timer);
  return code;
}

/** A job: heaters set, `before` moves, then `middle` (e.g. heater waits), then the rest. */
function writeJob(path: string, before: number, middle: string[] = []): void {
  const move = (i: number) =>
    `G1 X${(i % 200) + 1} Y${((i * 7) % 200) + 1} E${(i / 100).toFixed(2)} F3000`;
  const lines = ['M104 S200', 'M140 S60', 'M106 S255', 'G90', 'G92 E0'];
  for (let i = 1; i <= MOVES; i++) {
    if (i === before + 1) lines.push(...middle);
    lines.push(move(i));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** Every file under `dir`, relative paths. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1));
}

/** The data directory's JSON files, parsed (a half-written one throws here). */
function jsonFiles(dir: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of filesUnder(dir).filter((f) => f.endsWith('.json'))) {
    out[name] = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  }
  return out;
}

interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** The service's pino lines (its stderr also holds the plain start-up summary). */
function logLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/**
 * The lines of the newest rotating log file of <data-dir>/logs (printos.<n>.log), or
 * null when the service keeps no log file there.
 */
function logFileLines(dir: string): LogLine[] | null {
  const logs = join(dir, 'logs');
  const numbered = filesUnder(dir)
    .map((f) => /^logs\/printos\.(\d+)\.log$/.exec(f)?.[1])
    .filter((n) => n !== undefined)
    .map(Number)
    .sort((x, y) => x - y);
  const newest = numbered.at(-1);
  return newest === undefined
    ? null
    : logLines(readFileSync(join(logs, `printos.${newest}.log`), 'utf8'));
}

/** The last target each heater was set to, replaying what the printer executed. */
function finalTargets(executed: readonly ExecutedCommand[]): { hotend?: number; bed?: number } {
  const targets: { hotend?: number; bed?: number } = {};
  for (const { command } of executed) {
    const s = command.match(/\bS(\d+(?:\.\d+)?)/)?.[1];
    if (s === undefined) continue;
    if (/^M10[49]\b/.test(command)) targets.hotend = Number(s);
    if (/^M1[49]0\b/.test(command)) targets.bed = Number(s);
  }
  return targets;
}

/** Connects to the printer as a new host would and reads what its M105 reports. */
async function reportedTemperatures(path: string): Promise<HeaterReading[]> {
  const driver = await connectPrinter({
    path,
    baudRate: 250000,
    settings: parsePrinterSettings({}),
    log: silentLogger(),
  });
  try {
    const readings = new Promise<HeaterReading[]>((resolve) => {
      driver.events.on('printer:temperatures', ({ readings: r }) => resolve(r));
    });
    driver.send('M105');
    return await readings;
  } finally {
    await driver.stop();
  }
}

/**
 * Starts `job` through the service, waits until the printer acknowledged file line
 * `line`, sends SIGTERM, and checks everything a clean stop promises.
 */
async function printThenTerminate(job: string, line: number): Promise<void> {
  const { id, api } = await startService();
  const run = service as LongRun;
  const before = jsonFiles(dataDir);
  expect(Object.keys(before)).toEqual(
    expect.arrayContaining(['settings.json', 'printers.json', 'service.json']),
  );
  expect(before['settings.json']).toMatchObject({ offline: true });

  await api('POST', `/api/printers/${id}/print`, { path: job });
  const printing = await eventually(async () => {
    const view = await api<PrinterView>('GET', `/api/printers/${id}`);
    return view.job && view.job.line >= line && view.job.percent > 0 ? view : undefined;
  }, `file line ${line} executed`);
  expect(printing.state).toBe('printing');

  expect(await terminate(run, EXIT_WITHIN_MS), run.output()).toBe(0);

  // The files: all still parse and hold what they held; no temporary file left
  // behind; the pid file is gone (no service runs on this data directory).
  const { 'service.json': _pid, ...kept } = before;
  expect(jsonFiles(dataDir)).toEqual(kept);
  expect(filesUnder(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);

  // The log ends with the stop: the reason, the cancelled job, the interrupted print.
  const name = basename(job);
  const lines = logLines(run.output());
  const stopAt = lines.findIndex((l) => l.msg === 'stopping the service');
  expect(stopAt, run.output()).toBeGreaterThanOrEqual(0);
  expect(lines[stopAt]).toMatchObject({ reason: 'SIGTERM' });
  const tail = lines.slice(stopAt + 1);
  expect(tail).toContainEqual(
    expect.objectContaining({ msg: 'job finished', outcome: 'cancelled', job: name }),
  );
  expect(tail.at(-1)).toMatchObject({ msg: 'prints interrupted by the stop', jobs: [name] });
  expect(tail.filter((l) => l.level >= 50)).toEqual([]);
  // The log file, if the service keeps one, was flushed to the same last line.
  const inFile = logFileLines(dataDir);
  if (inFile) expect(inFile.at(-1)).toEqual(lines.at(-1));

  // The printer, asked by a new host: both heaters' targets are 0.
  const readings = await reportedTemperatures(printer.path);
  expect(readings.length).toBeGreaterThan(0);
  for (const reading of readings) expect(reading, reading.id).toMatchObject({ target: 0 });

  // The record: the job started, was cut short, and the safe stop came after its
  // last executed line, in order, with no job line after it.
  const executed = await stopPrinter();
  const commands = executed.map((e) => e.command);
  const moves = commands.flatMap((c, i) => (c.startsWith('G1 ') ? [i] : []));
  expect(moves.length).toBeGreaterThan(0);
  expect(moves.length).toBeLessThan(MOVES);
  const lastMove = moves.at(-1) as number;
  const stopSequence = SAFE_STOP.map((c) => commands.indexOf(c, lastMove));
  expect(
    stopSequence.every((i) => i > lastMove),
    commands.slice(lastMove).join('\n'),
  ).toBe(true);
  expect([...stopSequence].sort((a, b) => a - b)).toEqual(stopSequence);
  expect(commands.slice(stopSequence[0]).filter((c) => c.startsWith('G1 '))).toEqual([]);
  expect(finalTargets(executed)).toEqual({ hotend: 0, bed: 0 });
}

describe('SIGTERM stops the client service cleanly', () => {
  it('during a print: the job stops safely, the printer is left cold, the files intact', async () => {
    const job = join(base, 'long.gcode');
    writeJob(job, MOVES);
    await printThenTerminate(job, 1);
  });

  it('while the job waits for its heaters: each wait is broken, the stop is as quick', async () => {
    // After 20 moves the job waits for the bed, then the nozzle (minutes at 2 °C/s):
    // the safe stop must not wait for them (the stop timeout would leave them on).
    const job = join(base, 'reheat.gcode');
    writeJob(job, 20, ['M190 S60', 'M109 S200']);
    await printThenTerminate(job, 5 + 20);
  });

  it('while idle: exits 0 quickly, sends the printer nothing, removes the pid file', async () => {
    await startService();
    const run = service as LongRun;
    const before = jsonFiles(dataDir);
    expect(await terminate(run, IDLE_EXIT_WITHIN_MS), run.output()).toBe(0);
    const { 'service.json': _pid, ...kept } = before;
    expect(jsonFiles(dataDir)).toEqual(kept);
    expect(filesUnder(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const lines = logLines(run.output());
    expect(lines.at(-1)).toMatchObject({ msg: 'stopping the service', reason: 'SIGTERM' });
    const inFile = logFileLines(dataDir);
    if (inFile) expect(inFile.at(-1)).toEqual(lines.at(-1));
    // No job ran: no heater or motion command reached the printer.
    const executed = await stopPrinter();
    expect(executed.filter((e) => /^(G[0-3]|M10[49]|M1[49]0|M410)\b/.test(e.command))).toEqual([]);
  });
});
