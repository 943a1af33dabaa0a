import type { Command } from 'commander';
import { PrintosError } from '../core/errors.js';
import { parseFaultKinds, parseFaultSpec } from '../virtual-printer/faults.js';
import { resolveOptions, type VirtualPrinterOptions } from '../virtual-printer/options.js';
import { openPty } from '../virtual-printer/pty.js';
import { RecordFile } from '../virtual-printer/record-file.js';
import { type DisconnectReason, VirtualPrinter } from '../virtual-printer/virtual-printer.js';
import { parseIntOption, parseNumberOption } from './handle-error.js';

interface CliOptions {
  rxBuffer?: string;
  commandBuffer?: string;
  planner?: string;
  moveTime?: string;
  baud?: string;
  latency?: string;
  advancedOk: boolean;
  busyInterval?: string;
  heatRate?: string;
  homeTime?: string;
  idleWait?: boolean;
  skipDuplicateLines?: boolean;
  faults?: string;
  faultRate?: string;
  faultKinds?: string;
  seed?: string;
  record?: string;
  link?: string;
  json?: boolean;
  stats?: boolean;
}

export function registerVirtualPrinter(program: Command): void {
  program
    .command('virtual-printer')
    .description(
      'Run a Marlin-like virtual printer on a pty (prints the pty path, runs until Ctrl-C)',
    )
    .option('--rx-buffer <bytes>', 'serial RX buffer (Marlin RX_BUFFER_SIZE)', '128')
    .option('--command-buffer <n>', 'command queue slots (Marlin BUFSIZE)', '4')
    .option('--planner <n>', 'planner blocks (Marlin BLOCK_BUFFER_SIZE)', '16')
    .option('--move-time <ms>', 'time each move takes', '0')
    .option('--baud <n>', 'simulated wire speed, 0 = no wire time', '250000')
    .option('--latency <ms>', 'one-way latency', '1')
    .option('--no-advanced-ok', 'plain ok instead of ok N P B')
    .option('--busy-interval <ms>', 'busy keepalive interval, 0 = off', '2000')
    .option('--heat-rate <c_per_s>', 'heating speed in °C/s', '50')
    .option('--home-time <ms>', 'duration of G28/G29', '1500')
    .option('--idle-wait', 'send `wait` every second when idle (Marlin NO_TIMEOUTS)')
    .option('--skip-duplicate-lines', 'drop a repeat of the last line silently (newer Marlin)')
    .option('--faults <spec>', 'faults at lines, e.g. corrupt@120,drop-ok@300,reset@500')
    .option('--fault-rate <r>', 'probability of a fault per line', '0')
    .option('--fault-kinds <list>', 'kinds for --fault-rate, comma-separated', 'corrupt')
    .option('--seed <n>', 'seed of the random faults', '1')
    .option('--record <file>', 'write executed commands to FILE (<line>\\t<command>)')
    .option('--link <path>', 'also make a symlink to the pty at PATH')
    .option('--json', 'print {"path": …} instead of the bare path')
    .option('--stats', 'print counters as JSON to stderr on exit')
    .action((opts: CliOptions) => runVirtualPrinter(opts));
}

/** Maps CLI strings to simulator options; every bad value is an INVALID_ARGUMENT. */
export function toPrinterOptions(opts: CliOptions): VirtualPrinterOptions {
  const int = (name: string, value: string | undefined, min = 0) =>
    value === undefined ? undefined : parseIntOption(name, value, min);
  const num = (name: string, value: string | undefined) =>
    value === undefined ? undefined : parseNumberOption(name, value);
  return resolveOptions({
    rxBufferBytes: int('--rx-buffer', opts.rxBuffer, 2),
    commandSlots: int('--command-buffer', opts.commandBuffer, 1),
    plannerSlots: int('--planner', opts.planner, 2),
    moveTimeMs: num('--move-time', opts.moveTime),
    baud: int('--baud', opts.baud),
    latencyMs: num('--latency', opts.latency),
    advancedOk: opts.advancedOk,
    busyIntervalMs: num('--busy-interval', opts.busyInterval),
    heatRate: num('--heat-rate', opts.heatRate),
    homeTimeMs: num('--home-time', opts.homeTime),
    idleWait: opts.idleWait ?? false,
    skipDuplicateLines: opts.skipDuplicateLines ?? false,
    faults: opts.faults === undefined ? [] : parseFaultSpec(opts.faults),
    faultRate: probability(opts.faultRate),
    faultKinds: opts.faultKinds === undefined ? undefined : parseFaultKinds(opts.faultKinds),
    seed: int('--seed', opts.seed),
  });
}

function probability(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const rate = parseNumberOption('--fault-rate', value);
  if (rate > 1)
    throw new PrintosError('INVALID_ARGUMENT', `--fault-rate must be ≤ 1, got "${value}"`);
  return rate;
}

async function runVirtualPrinter(opts: CliOptions): Promise<void> {
  const options = toPrinterOptions(opts);
  const record = opts.record === undefined ? null : openRecord(opts.record);
  const link = await openPty(opts.link === undefined ? {} : { linkPath: opts.link });
  const printer = new VirtualPrinter(options, { link });
  if (record) printer.onExecuted((entry) => record.add(entry));
  const ended = untilEnd(printer);
  printer.start();
  const where = opts.json ? JSON.stringify({ path: link.path, link: link.linkPath }) : link.path;
  process.stdout.write(`${where}\n`);
  const reason = await ended;
  await printer.close();
  record?.close();
  if (opts.stats) process.stderr.write(`${JSON.stringify(printer.stats())}\n`);
  if (reason === 'link-lost')
    throw new PrintosError('PORT_LOST', `The pty relay for ${link.path} died`);
  if (reason === 'disconnect-fault') {
    process.stderr.write(`printos: virtual printer: disconnect fault, ${link.path} closed\n`);
  }
}

function openRecord(path: string): RecordFile {
  try {
    return new RecordFile(path);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new PrintosError('INVALID_ARGUMENT', `Cannot write the record file ${path}: ${why}`);
  }
}

/** Resolves on SIGINT/SIGTERM or when the printer drops its link. */
function untilEnd(printer: VirtualPrinter): Promise<DisconnectReason | 'signal'> {
  return new Promise((resolve) => {
    const onSignal = () => done('signal');
    const done = (reason: DisconnectReason | 'signal') => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(reason);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    printer.onDisconnect(done);
  });
}
