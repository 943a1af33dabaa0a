/**
 * `printos logs`: the service log of the data directory (useful on a headless Pi).
 * - `printos logs path`: the folder of the rotating log files;
 * - `printos logs show [-n 100] [--json]`: the last lines, readable (or as logged);
 * - `printos logs send "<what happened>"`: uploads a support bundle to the linked cloud account.
 */
import { open } from 'node:fs/promises';
import type { Command } from 'commander';
import { PrintosError } from '../core/errors.js';
import { type LogFileInfo, listLogFiles } from '../core/log.js';
import { requireService } from '../service/api-client.js';
import { dataPaths, resolveDataDir } from '../service/data-dir.js';
import { addDataDirOption } from './data-dir-option.js';
import { parseIntOption } from './handle-error.js';

export function registerLogs(program: Command): void {
  const logs = program
    .command('logs')
    .description('The service log: where it is, its last lines, send it to the cloud');

  const path = logs.command('path').description('Print the folder of the log files');
  addDataDirOption(path).action((opts: { dataDir?: string }) => {
    process.stdout.write(`${logFolder(opts.dataDir)}\n`);
  });

  const show = logs
    .command('show')
    .description('Print the last lines of the service log')
    .option('-n, --lines <n>', 'how many lines', '100')
    .option('--json', 'the lines as logged (JSON), not formatted');
  addDataDirOption(show).action(
    async (opts: { lines: string; json?: boolean; dataDir?: string }) => {
      const count = parseIntOption('--lines', opts.lines, 1);
      const dir = logFolder(opts.dataDir);
      const files = await listLogFiles(dir);
      if (files.length === 0) {
        process.stdout.write(`No log file yet in ${dir} (printos start writes it).\n`);
        return;
      }
      const lines = await lastLines(files, count);
      const text = opts.json ? lines : lines.map(formatLine);
      process.stdout.write(text.length > 0 ? `${text.join('\n')}\n` : '');
    },
  );

  const send = logs
    .command('send')
    .description('Send the recent log and a problem report to the linked cloud account')
    .argument('<what-happened...>', 'what went wrong, in your words');
  addDataDirOption(send).action(async (words: string[], opts: { dataDir?: string }) => {
    const report = words.join(' ').trim();
    if (report === '') throw new PrintosError('INVALID_ARGUMENT', 'Say what happened.');
    const service = await requireService(resolveDataDir(opts.dataDir));
    await service.request('POST', '/api/logs/send', { report });
    process.stdout.write('Logs sent to the cloud (secrets masked).\n');
  });
}

function logFolder(dataDir: string | undefined): string {
  return dataPaths(resolveDataDir(dataDir)).logs;
}

const CHUNK = 64 * 1024;
/** Read at most this much to find the lines (a log of one huge line must not fill memory). */
const MAX_READ = 16 * 1024 * 1024;

/** The last `count` lines over the files (newest first), read backwards from their ends. */
export async function lastLines(files: readonly LogFileInfo[], count: number): Promise<string[]> {
  const lines: string[] = [];
  let budget = MAX_READ;
  for (const file of files) {
    const handle = await open(file.path, 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      let end = (await handle.stat()).size;
      let rest = Buffer.alloc(0);
      const found: string[] = [];
      while (end > 0 && found.length + lines.length < count && budget > 0) {
        const size = Math.min(CHUNK, end, budget);
        const chunk = Buffer.alloc(size);
        await handle.read(chunk, 0, size, end - size);
        end -= size;
        budget -= size;
        rest = Buffer.concat([chunk, rest]);
        // Whole lines only: the bytes before the first newline may be the end of an earlier one.
        const cut = rest.indexOf(10);
        if (cut < 0) continue;
        found.unshift(...splitLines(rest.subarray(cut + 1)));
        rest = rest.subarray(0, cut);
      }
      if (end === 0 && rest.length > 0) found.unshift(...splitLines(rest));
      lines.unshift(...found);
    } finally {
      await handle.close();
    }
    if (lines.length >= count || budget <= 0) break;
  }
  return lines.slice(-count);
}

function splitLines(bytes: Buffer): string[] {
  return bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** A pino line as `time LEVEL [part] message key=value…`; any other line as it is. */
export function formatLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    const parsed = JSON.parse(line) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const { level, time, msg, part, err, ...rest } = entry;
  const when = typeof time === 'number' ? new Date(time).toISOString().replace('T', ' ') : '';
  const name = typeof level === 'number' ? (LEVELS[level] ?? String(level)) : '';
  const fields = Object.entries(rest).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
  const error =
    err && typeof err === 'object' && 'message' in err ? ` (${String(err.message)})` : '';
  const parts = [
    when,
    name.padEnd(5),
    typeof part === 'string' ? `[${part}]` : '',
    `${typeof msg === 'string' ? msg : ''}${error}`,
    ...fields,
  ];
  return parts.filter((p) => p !== '').join(' ');
}
