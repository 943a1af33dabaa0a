import { chmod, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type DestinationStream, type Logger, pino } from 'pino';
import { ensureDir } from './files.js';
import type { LogRing } from './log-ring.js';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Write to this file descriptor; 2 (stderr) keeps stdout free for command output. */
  fd?: number;
  /** Also keep the lines in this ring (in memory; tests and runs without a log file). */
  ring?: LogRing;
  /** Also write to the rotating log file of the data directory (openLogFile). */
  file?: LogFile;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.PRINTOS_LOG_LEVEL ?? 'info';
  const destination = pino.destination({ fd: options.fd ?? 2, sync: true });
  const streams: DestinationStream[] = [destination];
  if (options.ring) streams.push(options.ring.stream());
  if (options.file) streams.push(options.file.stream);
  if (streams.length === 1) return pino({ level, base: undefined }, destination);
  return pino(
    { level, base: undefined },
    pino.multistream(streams.map((stream) => ({ stream, level: level as pino.Level }))),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

// ---------------------------------------------------------------------------------
// The rotating log file of the data directory: <dir>/printos.<n>.log, the highest n
// being the current file (pino-roll's naming; it continues the numbering after a restart).
// ---------------------------------------------------------------------------------

export const LOG_FILE_PREFIX = 'printos';
export const LOG_FILE_EXTENSION = '.log';
export const DEFAULT_LOG_FILE_BYTES = 5 * 1024 * 1024;
/** Files kept, the current one included. */
export const DEFAULT_LOG_FILES = 5;

const LOG_FILE_NAME = /^printos\.(\d+)\.log$/;

export interface LogFileOptions {
  dir: string;
  /** A file that reaches this size is closed and the next one started. */
  maxBytes?: number;
  /** Files kept, the current one included; the oldest are deleted. */
  maxFiles?: number;
  /** Where write errors go (a full disk must not stop the service); default stderr. */
  onError?: (err: Error) => void;
}

export interface LogFile {
  readonly dir: string;
  readonly stream: DestinationStream;
  /** Writes anything still buffered (the writes are synchronous: a safety net for exits). */
  flush(): void;
}

/** pino-roll's stream: a SonicBoom. */
interface RollStream extends DestinationStream {
  flushSync(): void;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

type RollFactory = (options: Record<string, unknown>) => Promise<RollStream>;

/**
 * Opens the rotating log file. pino-roll runs here, in the main thread, as a plain
 * destination (no transport worker: a second thread costs memory on a Pi). Writes are
 * synchronous, as stderr's are: a crash or SIGKILL loses no line that was logged.
 */
export async function openLogFile(options: LogFileOptions): Promise<LogFile> {
  const { dir } = options;
  const maxBytes = Math.max(1024, Math.floor(options.maxBytes ?? DEFAULT_LOG_FILE_BYTES));
  const maxFiles = Math.max(1, Math.floor(options.maxFiles ?? DEFAULT_LOG_FILES));
  await ensureDir(dir, 0o700);
  await chmod(dir, 0o700);
  // Files of earlier runs (or copied in) are made private like new ones.
  for (const file of await listLogFiles(dir)) await chmod(file.path, 0o600);
  // pino-roll is CommonJS without types; its options are documented in its README.
  const roll = createRequire(import.meta.url)('pino-roll') as RollFactory;
  const stream = await roll({
    file: join(dir, LOG_FILE_PREFIX),
    extension: LOG_FILE_EXTENSION,
    size: `${maxBytes}b`,
    // With removeOtherLogFiles, pino-roll's count is the total, the current file included
    // (without it, files of earlier runs would never be deleted).
    limit: { count: maxFiles, removeOtherLogFiles: true },
    sync: true,
    mode: 0o600,
  });
  const onError =
    options.onError ??
    ((err: Error) => process.stderr.write(`printos: log file: ${err.message}\n`));
  stream.on('error', onError);
  return {
    dir,
    stream,
    flush() {
      try {
        stream.flushSync();
      } catch (err) {
        onError(err as Error);
      }
    },
  };
}

export interface LogFileInfo {
  path: string;
  name: string;
  /** pino-roll's number: higher is newer. */
  number: number;
  size: number;
}

/** The log files of a folder, newest first; none when the folder does not exist. */
export async function listLogFiles(dir: string): Promise<LogFileInfo[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const files: LogFileInfo[] = [];
  for (const name of names) {
    const match = LOG_FILE_NAME.exec(name);
    if (!match) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => undefined);
    if (info?.isFile()) files.push({ path, name, number: Number(match[1]), size: info.size });
  }
  return files.sort((a, b) => b.number - a.number);
}
