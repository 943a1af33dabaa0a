/**
 * The hosts under test and how each is started. Both get the same port, baud
 * rate and file; neither is told anything about the regime. On a pty the baud
 * rate is only a number: the virtual printer simulates the wire itself.
 */
import { resolve } from 'node:path';
import type { RegimeId } from './regimes.js';

export const HOST_NAMES = ['printos', 'printcore'] as const;
export type HostName = (typeof HOST_NAMES)[number];

const ROOT = resolve(import.meta.dirname, '..');
export const PYTHON = '/usr/bin/python3';
const BAUD = '250000';

/**
 * printos runs as `bin/printos.js`, the installed `printos` binary: one node
 * process (started through the binary's shebang, with its node flags) running the compiled CLI (dist/, which the bench builds first; it
 * falls back to compiling src/ with tsx when dist/ is stale), so its CPU and
 * RSS are one process's, start-up included. Defaults otherwise: the window
 * and BUFSIZE come from the firmware's ADVANCED_OK.
 */
function printosCommand(port: string, file: string): string[] {
  const bin = resolve(ROOT, 'bin/printos.js');
  // Executed through its shebang, exactly as the installed binary runs (node flags included).
  return [bin, 'print', '--port', port, '--baud', BAUD, '-q', file];
}

/** Debian's printcore, driven through its public API by bench/printcore_print.py. */
function printcoreCommand(port: string, file: string): string[] {
  return [PYTHON, resolve(ROOT, 'bench/printcore_print.py'), port, BAUD, file];
}

export function hostCommand(host: HostName, port: string, file: string): string[] {
  return host === 'printos' ? printosCommand(port, file) : printcoreCommand(port, file);
}

/**
 * A generous time limit per run: a hung host must not hang the bench. Budgets
 * are about 3-5x what each host was seen to need per line.
 */
export function timeLimitS(host: HostName, regime: RegimeId, jobLines: number): number {
  const perLineMs = regime === 'A' ? 5 : host === 'printos' ? 6 : 40;
  return 60 + (jobLines * perLineMs) / 1000;
}

export function virtualPrinterCommand(printerArgs: string[], record: string): string[] {
  const bin = resolve(ROOT, 'bin/printos.js');
  return [
    process.execPath,
    bin,
    'virtual-printer',
    '--json',
    '--stats',
    '--record',
    record,
    ...printerArgs,
  ];
}

export const MEASURE_SCRIPT = resolve(ROOT, 'bench/measure.py');
