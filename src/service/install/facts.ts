/**
 * What the planners need to know about this machine, read in one place so that
 * plan-install.ts and plan-uninstall.ts stay pure (table tests pass facts by hand).
 */
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errorCode } from '../../core/files.js';
import type { CommandRunner } from './runner.js';

/** The install prefix as found: ours holds only versions/ and the current link. */
export interface PrefixInfo {
  exists: boolean;
  /** Something that is not a directory sits at the prefix's path. */
  notDirectory: boolean;
  /** Names in the prefix, dot-files (temporary names of interrupted steps) left out. */
  entries: readonly string[];
  hasVersions: boolean;
  /** Where `current` points (as written: relative), when it is a symlink. */
  currentTarget?: string;
  /** `current` exists but is not a symlink. */
  currentNotLink: boolean;
  /** Directory names under versions/. */
  versions: readonly string[];
}

/** A data directory as found: ours holds settings.json; an empty one is fine too. */
export interface DataDirInfo {
  exists: boolean;
  isDirectory: boolean;
  empty: boolean;
  hasSettings: boolean;
}

export interface UserInfo {
  exists: boolean;
  uid?: number;
  /** The GECOS field: install marks its accounts there. */
  comment?: string;
  /** The primary group's name (an existing account's may differ from its own name). */
  group?: string;
}

export async function inspectPrefix(prefix: string): Promise<PrefixInfo> {
  const stats = await lstatOrUndefined(prefix);
  const names = stats?.isDirectory() ? await listDir(prefix) : undefined;
  const info: PrefixInfo = {
    exists: stats !== undefined,
    notDirectory: stats !== undefined && !stats.isDirectory(),
    entries: (names ?? []).filter((name) => !name.startsWith('.')),
    hasVersions: false,
    currentNotLink: false,
    versions: [],
  };
  if (!names) return info;
  const versions = await listDir(join(prefix, 'versions'));
  info.hasVersions = versions !== undefined;
  info.versions = (versions ?? []).filter((name) => !name.startsWith('.')).sort();
  const current = await lstatOrUndefined(join(prefix, 'current'));
  if (current?.isSymbolicLink()) info.currentTarget = await readlink(join(prefix, 'current'));
  else if (current) info.currentNotLink = true;
  return info;
}

export async function inspectDataDir(dir: string): Promise<DataDirInfo> {
  const stats = await lstatOrUndefined(dir);
  if (!stats) return { exists: false, isDirectory: false, empty: true, hasSettings: false };
  if (!stats.isDirectory()) {
    return { exists: true, isDirectory: false, empty: false, hasSettings: false };
  }
  const names = (await listDir(dir)) ?? [];
  return {
    exists: true,
    isDirectory: true,
    empty: names.length === 0,
    hasSettings: names.includes('settings.json'),
  };
}

/** The account's passwd entry through getent (NSS: also LDAP and the like). */
export async function lookupUser(run: CommandRunner, name: string): Promise<UserInfo> {
  const result = await run('getent', ['passwd', name]);
  if (result.code !== 0) return { exists: false };
  const fields = result.stdout.trim().split(':');
  const uid = Number(fields[2]);
  const group = await run('id', ['-gn', name]);
  return {
    exists: true,
    ...(Number.isInteger(uid) ? { uid } : {}),
    ...(fields[4] !== undefined ? { comment: fields[4] } : {}),
    ...(group.code === 0 && group.stdout.trim() ? { group: group.stdout.trim() } : {}),
  };
}

export async function existingGroups(
  run: CommandRunner,
  names: readonly string[],
): Promise<string[]> {
  const found: string[] = [];
  for (const name of names) {
    if ((await run('getent', ['group', name])).code === 0) found.push(name);
  }
  return found;
}

/** systemd is the init system (sd_booted's test): systemctl can act on units. */
export function systemdRunning(): boolean {
  return existsSync('/run/systemd/system');
}

export async function serviceActive(run: CommandRunner, unit: string): Promise<boolean> {
  return (await run('systemctl', ['is-active', '--quiet', unit])).code === 0;
}

export async function readTextOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

async function listDir(path: string): Promise<string[] | undefined> {
  try {
    return await readdir(path);
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}
