/**
 * Release archives: a gzipped tar of a package root, written with node-tar (npm's own
 * archiver). Packing is portable (no owner, user or group names; mtimes kept) and atomic.
 * Unpacking trusts nothing in the archive even though its SHA-256 was checked first: an
 * entry that would land outside the destination (absolute path, `..`, a link out), a
 * device, a FIFO or a set-id bit fails the whole unpack and nothing is left behind.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, lstat, mkdir, open, readdir, readlink, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, posix, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Header, Pack, ReadEntry, extract } from 'tar';
import { PrintosError } from '../core/errors.js';

/** What a release may hold: regular files, folders, and links that stay inside it. */
const SAFE_TYPES = new Set([
  'File',
  'OldFile',
  'ContiguousFile',
  'Directory',
  'SymbolicLink',
  'Link',
]);

export interface PackOptions {
  /** Archive paths whose content comes from memory instead of sourceRoot (e.g. package.json). */
  replace?: Readonly<Record<string, Buffer>>;
}

/**
 * Writes `files` (relative to sourceRoot, in that order) into a .tar.gz at `outFile`,
 * through a temporary file beside it, so a reader never sees half an archive.
 */
export async function packRelease(
  sourceRoot: string,
  files: readonly string[],
  outFile: string,
  options: PackOptions = {},
): Promise<void> {
  const temp = join(
    dirname(outFile),
    `.${basename(outFile)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    for (const file of files) checkSourcePath(file);
    await checkSymlinks(sourceRoot, files);
    const replaced = await memoryEntries(sourceRoot, options.replace ?? {});
    await writeTar(sourceRoot, files, replaced, temp);
    await syncFile(temp);
    await rename(temp, outFile);
  } catch (err) {
    await unlink(temp).catch(() => {});
    if (err instanceof PrintosError) throw err;
    throw new PrintosError(
      'INTERNAL',
      `Cannot write the release archive ${outFile}: ${describe(err)}`,
      { outFile },
      err,
    );
  }
}

async function writeTar(
  sourceRoot: string,
  files: readonly string[],
  replaced: ReadonlyMap<string, ReadEntry>,
  outFile: string,
): Promise<void> {
  const pack = new Pack({
    cwd: sourceRoot,
    gzip: true,
    portable: true,
    noDirRecurse: true,
    strict: true,
  });
  const written = pipeline(pack, createWriteStream(outFile, { flags: 'wx', mode: 0o644 }));
  for (const file of files) pack.add(replaced.get(file) ?? file);
  pack.end();
  await written;
}

/** Entries whose bytes come from memory, each with the mode of the file it stands for. */
async function memoryEntries(
  sourceRoot: string,
  replace: Readonly<Record<string, Buffer>>,
): Promise<Map<string, ReadEntry>> {
  const entries = new Map<string, ReadEntry>();
  for (const [path, data] of Object.entries(replace)) {
    const mode = await lstat(join(sourceRoot, path)).then(
      (info) => info.mode & 0o777,
      () => 0o644,
    );
    const header = new Header({ path, mode, size: data.length, mtime: new Date(), type: 'File' });
    const entry = new ReadEntry(header);
    entry.end(data);
    entries.set(path, entry);
  }
  return entries;
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Unpacks a release archive into destDir (created if missing; it must be empty), keeping
 * file modes so executables stay executable. Files belong to the user who unpacks.
 */
export async function unpackRelease(archive: string, destDir: string): Promise<void> {
  await mkdir(destDir, { recursive: true, mode: 0o755 });
  if ((await readdir(destDir)).length > 0) {
    throw new PrintosError(
      'CONFLICT',
      `Cannot unpack a release into ${destDir}: it is not empty.`,
      { destDir },
    );
  }
  const refused: string[] = [];
  try {
    await extract({
      file: archive,
      cwd: destDir,
      strict: true,
      preserveOwner: false,
      // Refused entries are never written; the whole unpack then fails below.
      filter: (path, entry) => {
        const why = unsafeEntry(path, entry as ReadEntry);
        if (why !== null) refused.push(`${JSON.stringify(path)} (${why})`);
        return why === null;
      },
    });
  } catch (err) {
    await emptyDir(destDir);
    throw new PrintosError(
      'UPDATE_INVALID',
      `The release archive cannot be unpacked (${describe(err)}); nothing was installed.`,
      { archive },
      err,
    );
  }
  if (refused.length > 0) {
    await emptyDir(destDir);
    throw new PrintosError(
      'UPDATE_INVALID',
      `The release archive holds an unsafe entry ${refused[0]}; nothing was installed.`,
      { archive, refused },
    );
  }
  await openModes(destDir);
}

/**
 * Files and folders carry the process umask when tar creates them (the unit's is 0077);
 * an installed version is readable by every user, as `printos service install` copies it:
 * folders 0755, files 0644, or 0755 when the archive made them executable.
 */
async function openModes(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await openModes(path);
    else if (entry.isFile()) {
      const executable = ((await lstat(path)).mode & 0o100) !== 0;
      await chmod(path, executable ? 0o755 : 0o644);
    }
  }
}

/** Why an archive entry may not be unpacked, or null when it is safe. */
export function unsafeEntry(
  path: string,
  entry: Pick<ReadEntry, 'type' | 'linkpath' | 'mode'>,
): string | null {
  if (!SAFE_TYPES.has(entry.type)) return `a ${entry.type} entry`;
  const pathProblem = outsideProblem(path);
  if (pathProblem !== null) return pathProblem;
  if (entry.mode !== undefined && (entry.mode & 0o6000) !== 0) {
    return 'a set-user or set-group id mode';
  }
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') return linkProblem(path, entry);
  return null;
}

/**
 * A link's target must stay inside the release. Checked on the text alone, which is sound
 * because node-tar never writes through a symbolic link, so a link's own folders are real:
 * `..` is allowed only as the leading steps up from there (`s/..` could climb out through
 * a link `s -> .`), and a hard link's target, relative to the root, has none at all.
 */
function linkProblem(path: string, entry: Pick<ReadEntry, 'type' | 'linkpath'>): string | null {
  const target = (entry.linkpath ?? '').replace(/\\/g, '/');
  if (target === '' || target.startsWith('/') || /^[A-Za-z]:/.test(target)) {
    return 'a link to an absolute path';
  }
  const steps = target.split('/').filter((step) => step !== '' && step !== '.');
  const firstName = steps.findIndex((step) => step !== '..');
  if (firstName >= 0 && steps.slice(firstName).includes('..')) return 'a link with .. after a name';
  if (entry.type === 'Link' && steps.includes('..')) {
    return 'a link that points outside the release';
  }
  const from = entry.type === 'SymbolicLink' ? posix.dirname(path.replace(/\\/g, '/')) : '.';
  const resolved = posix.normalize(posix.join(from, target));
  if (resolved === '..' || resolved.startsWith('../')) {
    return 'a link that points outside the release';
  }
  return null;
}

function outsideProblem(path: string): string | null {
  if (path === '' || path.includes('\0')) return 'an empty or invalid path';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) {
    return 'an absolute path';
  }
  if (path.split(/[\\/]/).includes('..')) return 'a path with ..';
  return null;
}

function checkSourcePath(file: string): void {
  const problem = outsideProblem(file);
  if (problem !== null) {
    throw new PrintosError('INVALID_ARGUMENT', `Cannot pack ${JSON.stringify(file)}: ${problem}.`);
  }
}

/** A link in the package that points outside it would be refused by every client: stop here. */
async function checkSymlinks(sourceRoot: string, files: readonly string[]): Promise<void> {
  for (const file of files) {
    const path = join(sourceRoot, file);
    if (!(await lstat(path)).isSymbolicLink()) continue;
    const problem = unsafeEntry(file, {
      type: 'SymbolicLink',
      linkpath: await readlink(path),
      mode: 0o777,
    });
    if (problem !== null) {
      throw new PrintosError('INVALID_ARGUMENT', `Cannot pack ${file}: ${problem}.`, { file });
    }
  }
}

/** Leaves destDir empty (it was empty before the unpack began). */
async function emptyDir(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    await rm(resolve(dir, name), { recursive: true, force: true });
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
