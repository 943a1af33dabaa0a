/**
 * The install layout that makes updates atomic and reversible:
 *
 *   <prefix>/versions/<version>/   a whole package root (bin/, dist/, node_modules/…)
 *   <prefix>/current -> versions/<version>   what the service runs
 *   <prefix>/stable -> versions/<version>    the last version that proved healthy: the
 *                                             unit starts the supervisor from there
 *   <prefix>/update-state.json    a trial in progress, and the last update's outcome
 *
 * A new version is unpacked beside the running one and `current` is swapped by renaming a
 * fresh symlink over it (rename(2) is atomic), so a power cut leaves either version whole.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  readdir,
  readlink,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrintosError } from '../core/errors.js';
import { readJsonFile, writeFileAtomic } from '../core/files.js';

export interface Install {
  prefix: string;
  /** The version this process runs (its folder under versions/). */
  version: string;
}

const COMPLETE_MARK = '.printos-complete';

/** The package root of the running code: the nearest folder with package.json above it. */
export function runningPackageRoot(moduleUrl = import.meta.url): string {
  let dir = dirname(realpathSync(fileURLToPath(moduleUrl)));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new PrintosError('INTERNAL', 'printos cannot find its package root');
    dir = parent;
  }
  return dir;
}

/** The install this package root belongs to, or null for a source checkout or a plain copy. */
export function findInstall(packageRoot: string): Install | null {
  const versions = dirname(packageRoot);
  if (basename(versions) !== 'versions') return null;
  const prefix = dirname(versions);
  if (!existsSync(join(prefix, 'current'))) return null;
  return { prefix, version: basename(packageRoot) };
}

export function versionDir(prefix: string, version: string): string {
  return join(prefix, 'versions', version);
}

/** The version `current` points at (read from the link, not from the running process). */
export async function currentVersion(prefix: string): Promise<string> {
  const target = await readlink(join(prefix, 'current'));
  return basename(target);
}

/**
 * Unpacks an archive into versions/<version> through a temporary folder, so a folder under
 * versions/ is always complete. An existing folder of that version is replaced unless it
 * is the one `current` points at.
 */
export async function installVersion(
  prefix: string,
  version: string,
  unpack: (destDir: string) => Promise<void>,
): Promise<string> {
  const versions = join(prefix, 'versions');
  await mkdir(versions, { recursive: true });
  const staging = join(versions, `.incoming-${version}-${randomBytes(4).toString('hex')}`);
  const target = versionDir(prefix, version);
  try {
    await mkdir(staging);
    await chmod(staging, 0o755); // not the service's umask (0077): other users run the CLI
    await unpack(staging);
    await writeFile(join(staging, COMPLETE_MARK), `${new Date().toISOString()}\n`);
    if (existsSync(target)) {
      if ((await currentVersion(prefix).catch(() => null)) === version) {
        throw new PrintosError('CONFLICT', `printos ${version} is the version running now.`);
      }
      await rm(target, { recursive: true, force: true });
    }
    await rename(staging, target);
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Points `current` at versions/<version>, atomically. */
export function switchCurrent(prefix: string, version: string): Promise<void> {
  return switchLink(prefix, 'current', version);
}

/**
 * Points `stable` at a version that proved healthy: the unit starts the supervisor from
 * there, so the code that decides about a trial is never the code on trial (a power cut
 * during a trial, or a release whose supervisor cannot start, still rolls back).
 */
export function switchStable(prefix: string, version: string): Promise<void> {
  return switchLink(prefix, 'stable', version);
}

async function switchLink(prefix: string, link: string, version: string): Promise<void> {
  const dir = versionDir(prefix, version);
  if (!existsSync(join(dir, COMPLETE_MARK)) && !existsSync(join(dir, 'package.json'))) {
    throw new PrintosError('UPDATE_FAILED', `versions/${version} is not a complete install.`);
  }
  const temp = join(prefix, `.${link}-${randomBytes(4).toString('hex')}`);
  await symlink(join('versions', version), temp);
  try {
    await rename(temp, join(prefix, link));
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Removes every version folder but the ones kept (current and the previous one). */
export async function pruneVersions(prefix: string, keep: string[]): Promise<string[]> {
  const versions = join(prefix, 'versions');
  const removed: string[] = [];
  for (const name of await readdir(versions).catch(() => [] as string[])) {
    if (keep.includes(name)) continue;
    const path = join(versions, name);
    if (!(await lstat(path)).isDirectory()) continue;
    await rm(path, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

export interface UpdateState {
  /** An update waiting for the new version to prove healthy. */
  trial: { from: string; to: string; startedAt: string } | null;
  /** How the last update ended, shown by the web interface and `printos update --check`. */
  last: {
    from: string;
    to: string;
    outcome: 'installed' | 'rolled-back';
    at: string;
    reason?: string;
  } | null;
}

const EMPTY_STATE: UpdateState = { trial: null, last: null };

function stateFile(prefix: string): string {
  return join(prefix, 'update-state.json');
}

/**
 * The state file, checked by hand rather than with zod: the supervisor reads it, and it
 * stays a small process on a Pi (loading zod costs ~13 MB of RSS). A file that is not
 * exactly this shape counts as no state.
 */
export async function readUpdateState(prefix: string): Promise<UpdateState> {
  const raw = (await readJsonFile(stateFile(prefix)).catch(() => null)) as Record<
    string,
    unknown
  > | null;
  if (!isRecord(raw)) return EMPTY_STATE;
  const trial = raw.trial === null ? null : readTrial(raw.trial);
  const last = raw.last === null ? null : readLast(raw.last);
  if (trial === undefined || last === undefined) return EMPTY_STATE;
  return { trial, last };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: Record<string, unknown>, keys: string[]): boolean {
  return keys.every((key) => typeof value[key] === 'string');
}

function readTrial(value: unknown): UpdateState['trial'] | undefined {
  if (!isRecord(value) || !strings(value, ['from', 'to', 'startedAt'])) return undefined;
  return {
    from: value.from as string,
    to: value.to as string,
    startedAt: value.startedAt as string,
  };
}

function readLast(value: unknown): UpdateState['last'] | undefined {
  if (!isRecord(value) || !strings(value, ['from', 'to', 'at'])) return undefined;
  if (value.outcome !== 'installed' && value.outcome !== 'rolled-back') return undefined;
  if (value.reason !== undefined && typeof value.reason !== 'string') return undefined;
  return {
    from: value.from as string,
    to: value.to as string,
    outcome: value.outcome,
    at: value.at as string,
    ...(typeof value.reason === 'string' ? { reason: value.reason } : {}),
  };
}

export async function writeUpdateState(prefix: string, state: UpdateState): Promise<void> {
  await writeFileAtomic(stateFile(prefix), `${JSON.stringify(state, null, 2)}\n`);
}
