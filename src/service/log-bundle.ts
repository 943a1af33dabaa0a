/**
 * The support bundle (protocol doc §1.12): the problem report, the rotating log files
 * (newest first, within a byte budget: the newest part is kept) and what describes this
 * install (settings, printers, status) — zipped, every line and value masked on the way
 * in by key, by shape and by the secrets known now (a log line should never carry one;
 * this is the second fence). The account files, the API token and the host id are never
 * included. Log files are streamed through the masking, so a 20 MB log does not sit in
 * memory on a Pi; only the compressed zip does.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, readFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ZipFile } from 'yazl';
import { readJsonFile } from '../core/files.js';
import { listLogFiles } from '../core/log.js';
import { createMasker, type Masker } from '../link/mask.js';
import type { DataPaths } from './data-dir.js';

/** Bytes of log taken at most, before compression (the original sent up to 100 MB). */
export const MAX_LOG_BYTES = 20 * 1024 * 1024;

export interface BundleInput {
  /** The folder of the rotating log (core/log.ts openLogFile). */
  logDir?: string;
  /** Lines used when the folder holds no log file (a service run without one). */
  logLines?: readonly string[];
  /** Log bytes taken at most; the newest part is kept. */
  maxLogBytes?: number;
  /** The secrets known now (user token, API token, password digest…): masked wherever found. */
  secrets?: Iterable<string | null | undefined>;
  report: string;
  header: { version: string; platform: string; node: string };
  settings: unknown;
  printers: unknown;
  status: unknown;
}

export interface Bundle {
  zip: Buffer;
  /** problem_report.txt as in the zip (header and masked report), for the report_file field. */
  report: string;
}

export async function buildLogBundle(input: BundleInput): Promise<Bundle> {
  const masker = createMasker(input.secrets ?? []);
  const { version, platform, node } = input.header;
  const report = `printos ${version}, ${platform}, Node.js ${node}\n\n${masker.text(input.report)}\n`;
  const logs = await openLogs(input.logDir, input.maxLogBytes ?? MAX_LOG_BYTES);
  try {
    const zip = new ZipFile();
    const done = collect(zip);
    zip.addBuffer(Buffer.from(report), 'problem_report.txt');
    if (logs.length === 0) {
      const lines = (input.logLines ?? []).map((line) => `${masker.line(line)}\n`);
      zip.addBuffer(Buffer.from(lines.join('')), 'printos.log');
    }
    // Named as logrotate would: printos.log is the newest, printos.log.1 the one before.
    logs.forEach((log, index) => {
      const name = index === 0 ? 'printos.log' : `printos.log.${index}`;
      zip.addReadStream(maskedLines(log, masker), name);
    });
    const json = (value: unknown) =>
      Buffer.from(`${JSON.stringify(masker.value(value), null, 2)}\n`);
    zip.addBuffer(json(input.settings), 'settings.json');
    zip.addBuffer(json(input.printers), 'printers.json');
    zip.addBuffer(json(input.status), 'status.json');
    zip.end();
    return { zip: await done, report };
  } finally {
    await Promise.all(logs.map((log) => log.handle.close().catch(() => {})));
  }
}

interface OpenLog {
  handle: FileHandle;
  /** Read from here (a cut file starts mid-line: its first partial line is dropped). */
  start: number;
  end: number;
}

/** Opens the newest files within the budget now: a rotation during the zip cannot remove them. */
async function openLogs(dir: string | undefined, budget: number): Promise<OpenLog[]> {
  if (!dir) return [];
  const logs: OpenLog[] = [];
  let left = budget;
  for (const file of await listLogFiles(dir)) {
    if (left <= 0) break;
    const handle = await open(file.path, 'r').catch(() => undefined);
    if (!handle) continue;
    const { size } = await handle.stat();
    const take = Math.min(size, left);
    left -= take;
    logs.push({ handle, start: size - take, end: size });
  }
  return logs;
}

/** A log file's bytes as masked lines. */
function maskedLines(log: OpenLog, masker: Masker): Readable {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let skipFirst = log.start > 0;
  const source =
    log.end > log.start
      ? log.handle.createReadStream({ start: log.start, end: log.end - 1, autoClose: false })
      : Readable.from([]);
  const masked = new Transform({
    transform(chunk: Buffer, _encoding, next) {
      const lines = (rest + decoder.write(chunk)).split('\n');
      rest = lines.pop() ?? '';
      if (skipFirst && lines.length > 0) {
        lines.shift();
        skipFirst = false;
      }
      next(null, lines.map((line) => `${masker.line(line)}\n`).join(''));
    },
    flush(next) {
      rest += decoder.end();
      next(null, rest === '' || skipFirst ? '' : `${masker.line(rest)}\n`);
    },
  });
  source.on('error', (err: Error) => masked.destroy(err));
  return source.pipe(masked);
}

function collect(zip: ZipFile): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.on('error', reject);
    zip.outputStream.on('error', reject);
    zip.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/**
 * The secrets of the data directory, to be masked by value: the local API token, the
 * saved password digest and the linked account's verifier (its salt and hash too). The
 * files are read as they are, without validation or repair (no side effect here).
 */
export async function dataDirSecrets(paths: DataPaths): Promise<string[]> {
  const secrets: string[] = [];
  const apiToken = await readFile(paths.apiToken, 'utf8').catch(() => '');
  if (apiToken.trim()) secrets.push(apiToken.trim());
  const field = async (path: string, name: string) => {
    const value = await readJsonFile(path).catch(() => undefined);
    const found = (value as Record<string, unknown> | undefined)?.[name];
    return typeof found === 'string' ? found : undefined;
  };
  const digest = await field(paths.credentials, 'passwordDigest');
  if (digest) secrets.push(digest);
  const verifier = await field(paths.account, 'verifier');
  if (verifier) secrets.push(verifier, ...verifier.split('$').slice(4));
  return secrets;
}
