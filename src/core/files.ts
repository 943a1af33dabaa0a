/**
 * Files the client keeps in its data directory: written atomically (a reader sees the
 * old file or the new one, never half of one, even across a power cut) and read with
 * errors that name the file instead of crashing on a hand-edited mistake.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PrintosError } from './errors.js';

export interface WriteFileOptions {
  /** Permission bits of the file; 0o600 for secrets. Default 0o644. */
  mode?: number;
}

/**
 * Writes `data` to a temporary file beside `path`, flushes it, and renames it over
 * `path`. The mode is set on the temporary file before any byte is written, so a
 * secret is never readable by others, not even briefly; the directory is flushed
 * after the rename so that the new name survives a crash.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // `wx`: never follow or reuse an existing file at the temporary name.
    const handle = await open(temp, 'wx', mode);
    try {
      // The umask may have cleared bits at creation; set exactly the asked mode.
      await handle.chmod(mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => {});
    throw new PrintosError('INTERNAL', `Cannot write ${path}: ${describe(err)}`, { path }, err);
  }
  await syncDirectory(dir);
}

/** Flushes a directory's entries; not possible on every platform (Windows), so best effort. */
export async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The rename has happened; only its durability across a crash is weaker here.
  }
}

/**
 * The parsed JSON content of a file, or undefined when the file does not exist.
 * A file that cannot be read or is not JSON is a CONFIG_INVALID naming the file.
 */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new PrintosError('CONFIG_INVALID', `Cannot read ${path}: ${describe(err)}`, { path });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PrintosError(
      'CONFIG_INVALID',
      `${path} is not valid JSON (${describe(err)}); fix or delete it`,
      { path },
    );
  }
}

/** Creates a directory (and its parents) with `mode` when missing; an existing one is left as it is. */
export async function ensureDir(path: string, mode = 0o755): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode });
    if (!(await stat(path)).isDirectory()) throw new Error('not a directory');
  } catch (err) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `Cannot use ${path} as a directory: ${describe(err)}`,
      { path },
      err,
    );
  }
}

/** Deletes a file; a file that is already gone is not an error. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return;
    throw new PrintosError('INTERNAL', `Cannot delete ${path}: ${describe(err)}`, { path }, err);
  }
}

/** The Node error code (ENOENT, EACCES, …) of a file-system error, if it has one. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
