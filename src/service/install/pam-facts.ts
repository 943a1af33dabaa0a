/**
 * What the PAM helper's planning (pam-helper.ts) needs to know about this machine, read
 * here so that the planners stay pure.
 */
import { constants, existsSync } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { basename, delimiter, dirname, join } from 'node:path';
import { readTextOrUndefined, serviceActive } from './facts.js';
import {
  installedHelperPath,
  PAM_HELPER,
  type PamInstallFacts,
  type PamUninstallFacts,
} from './pam-helper.js';
import type { CommandRunner } from './runner.js';
import { parseInstalledPamService, UNIT_MARKER } from './unit.js';

/** Where the helper and the PAM file go; tests pass temporary folders. */
export interface PamLocations {
  helperPath: string;
  configDir: string;
}

export const PAM_LOCATIONS: PamLocations = {
  helperPath: PAM_HELPER.helperPath,
  configDir: PAM_HELPER.configDir,
};

export async function inspectPamInstall(
  sourceRoot: string,
  where: PamLocations,
  run: CommandRunner,
  systemd: boolean,
): Promise<PamInstallFacts> {
  const read = (path: string) => readTextOrUndefined(join(sourceRoot, path));
  const socketTemplate = await read(PAM_HELPER.socketTemplate);
  const serviceTemplate = await read(PAM_HELPER.serviceTemplate);
  const config = await read(PAM_HELPER.config);
  const unsafeDir = await unsafeAncestor(dirname(where.helperPath), await rootLikeGroups(run));
  return {
    helperPath: where.helperPath,
    configDir: where.configDir,
    compiler: await onPath('cc'),
    headers: existsSync(PAM_HELPER.header),
    source: existsSync(join(sourceRoot, PAM_HELPER.source)),
    ...(socketTemplate !== undefined ? { socketTemplate } : {}),
    ...(serviceTemplate !== undefined ? { serviceTemplate } : {}),
    ...(config !== undefined ? { config } : {}),
    configDirExists: existsSync(where.configDir),
    configExists: existsSync(join(where.configDir, PAM_HELPER.pamService)),
    ...(unsafeDir !== undefined ? { unsafeDir } : {}),
    socketActive: systemd ? await serviceActive(run, PAM_HELPER.socketUnit) : false,
  };
}

export async function inspectPamUninstall(
  unitDir: string,
  where: PamLocations,
): Promise<PamUninstallFacts> {
  const socketText = await readTextOrUndefined(join(unitDir, PAM_HELPER.socketUnit));
  const serviceText = await readTextOrUndefined(join(unitDir, PAM_HELPER.serviceUnit));
  const service = serviceText === undefined ? undefined : parseInstalledPamService(serviceText);
  const serviceUnit = {
    exists: service !== undefined,
    ours: service?.ours === true,
    ...(service?.helperPath ? { helperPath: service.helperPath } : {}),
  };
  const helperPath = installedHelperPath(serviceUnit, where.helperPath);
  const configPath = join(where.configDir, PAM_HELPER.pamService);
  const configText = await readTextOrUndefined(configPath);
  return {
    socketUnit: { exists: socketText !== undefined, ours: !!socketText?.includes(UNIT_MARKER) },
    serviceUnit,
    helper: {
      path: helperPath,
      exists: existsSync(helperPath),
      dirHoldsOnlyHelper: await holdsOnly(dirname(helperPath), basename(helperPath)),
    },
    config: {
      path: configPath,
      exists: configText !== undefined,
      ours: !!configText?.includes(UNIT_MARKER),
    },
  };
}

/** An executable `name` in one of PATH's folders (what execFile would run). */
async function onPath(name: string): Promise<boolean> {
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this one
    }
  }
  return false;
}

/**
 * Groups as mighty as root here: root's, and Debian's `staff`, which may write /usr/local
 * (2775 root:staff on older installs) and so put programs in root's PATH already.
 */
async function rootLikeGroups(run: CommandRunner): Promise<number[]> {
  const staff = await run('getent', ['group', 'staff']);
  const gid = Number(staff.stdout.split(':')[2]);
  return staff.code === 0 && Number.isInteger(gid) ? [0, gid] : [0];
}

/**
 * The first existing folder from `dir` up to `/` that someone but root could change: owned
 * by another user, writable by others, or by a group not in `trustedGids` — unless sticky
 * (/tmp's 1777: others cannot rename or remove what root put there).
 */
export async function unsafeAncestor(
  dir: string,
  trustedGids: number[],
): Promise<string | undefined> {
  for (let path = dir; ; path = dirname(path)) {
    const info = await stat(path).catch(() => undefined);
    if (info?.uid !== undefined && info.uid !== 0) return path;
    if (info && (info.mode & 0o1000) === 0) {
      const otherWritable = (info.mode & 0o002) !== 0;
      const groupWritable = (info.mode & 0o020) !== 0 && !trustedGids.includes(info.gid);
      if (otherWritable || groupWritable) return path;
    }
    if (path === '/') return undefined;
  }
}

/** The folder holds `name` and nothing else (dot-named leftovers of a build aside). */
async function holdsOnly(dir: string, name: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => undefined);
  return names !== undefined && names.filter((n) => !n.startsWith('.')).join('/') === name;
}
