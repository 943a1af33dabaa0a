/**
 * `printos service uninstall [--purge]` as a list of steps: pure. Nothing is removed that
 * does not look like ours: the unit must carry install's marker, the prefix must hold
 * versions/ and the current link and nothing else of note, a data directory must be empty or hold settings.json,
 * and an account must be one install created (marker, uid ≥ 100). The PAM helper's units and
 * /etc/pam.d file go only when marked, its binary only under its own name. What is left is said.
 */
import { dirname, join } from 'node:path';
import { PrintosError } from '../../core/errors.js';
import type { DataDirInfo, PrefixInfo, UserInfo } from './facts.js';
import { PAM_HELPER, type PamUninstallFacts, pamUninstallSteps } from './pam-helper.js';
import { DEFAULTS, PREFIX_ENTRIES, SERVICE_NAME, type UninstallParams } from './params.js';
import { USER_MARKER } from './plan-install.js';
import type { Step } from './steps.js';
import type { InstalledUnit } from './unit.js';

/** Below this uid are the system's own accounts: never removed, whatever they are called. */
const MIN_REMOVABLE_UID = 100;

export interface UninstallTargets {
  user: string;
  prefix: string;
  dataDir: string;
  unitPath: string;
}

/** Options first, then what the installed unit says, then the install defaults. */
export function uninstallTargets(
  params: UninstallParams,
  installed: InstalledUnit | undefined,
): UninstallTargets {
  const fromUnit = installed?.ours ? installed : undefined;
  return {
    user: params.user ?? fromUnit?.user ?? DEFAULTS.user,
    prefix: params.prefix ?? fromUnit?.prefix ?? DEFAULTS.prefix,
    dataDir: params.dataDir ?? fromUnit?.dataDir ?? DEFAULTS.dataDir,
    unitPath: join(params.unitDir, SERVICE_NAME),
  };
}

export interface UninstallFacts {
  isRoot: boolean;
  systemd: boolean;
  unit: { exists: boolean; ours: boolean };
  prefix: PrefixInfo;
  dataDir: DataDirInfo;
  user: UserInfo;
  pam: PamUninstallFacts;
}

export function planUninstall(
  params: UninstallParams,
  targets: UninstallTargets,
  facts: UninstallFacts,
): Step[] {
  if (!facts.isRoot && !params.dryRun) {
    throw new PrintosError(
      'FORBIDDEN',
      'printos service uninstall must run as root: run it again with sudo',
    );
  }
  const steps: Step[] = [];
  if (!facts.isRoot) steps.push(note('not root: a real uninstall needs sudo'));
  if (facts.systemd) {
    steps.push({
      kind: 'run',
      argv: ['systemctl', 'disable', '--now', SERVICE_NAME],
      why: 'stop it and keep it from starting at boot',
      // Not loaded (already removed by hand, or never started): nothing to stop.
      mayFail: true,
    });
    if (facts.pam.socketUnit.exists && facts.pam.socketUnit.ours) {
      steps.push({
        kind: 'run',
        argv: ['systemctl', 'disable', '--now', PAM_HELPER.socketUnit],
        why: 'stop the PAM helper socket',
        mayFail: true,
      });
    }
  }
  const pam = pamUninstallSteps(dirname(targets.unitPath), facts.pam);
  steps.push(...unitSteps(targets.unitPath, facts), ...pam.files);
  if (facts.systemd) {
    steps.push({ kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'forget the unit' });
  }
  steps.push(prefixStep(targets.prefix, facts.prefix), ...pam.helper);
  if (!params.purge) {
    steps.push(
      note(
        `kept the data directory ${targets.dataDir} and the user ${targets.user} (--purge removes them)`,
      ),
    );
    return steps;
  }
  const data = dataDirStep(targets.dataDir, facts.dataDir);
  if (data) steps.push(data);
  steps.push(userStep(targets.user, facts.user));
  return steps;
}

function unitSteps(unitPath: string, facts: UninstallFacts): Step[] {
  if (!facts.unit.exists) return [note(`no unit at ${unitPath}`)];
  if (!facts.unit.ours) {
    return [note(`${unitPath} was not written by printos service install: left in place`)];
  }
  return [{ kind: 'remove', path: unitPath }];
}

function prefixStep(prefix: string, info: PrefixInfo): Step {
  if (!info.exists) return note(`nothing installed in ${prefix}`);
  const onlyOurs = info.entries.every((name) => PREFIX_ENTRIES.includes(name));
  if (!info.notDirectory && onlyOurs && info.hasVersions && info.currentTarget !== undefined) {
    return { kind: 'remove', path: prefix };
  }
  return note(
    `${prefix} does not look like a printos install (versions/, the current link, update-state.json): left in place`,
  );
}

function dataDirStep(dataDir: string, info: DataDirInfo): Step | undefined {
  if (!info.exists) return undefined;
  if (info.isDirectory && (info.empty || info.hasSettings))
    return { kind: 'remove', path: dataDir };
  return note(`${dataDir} is not a printos data directory (no settings.json): left in place`);
}

function userStep(user: string, info: UserInfo): Step {
  if (!info.exists) return note(`no user ${user}`);
  if (info.uid === undefined || info.uid === 0 || info.uid < MIN_REMOVABLE_UID) {
    return note(`user ${user} is a system account (uid ${info.uid ?? '?'}): kept`);
  }
  if (info.comment !== USER_MARKER) {
    return note(`user ${user} was not created by printos service install: kept`);
  }
  return { kind: 'run', argv: ['userdel', user], why: 'the account the service ran as' };
}

function note(text: string): Step {
  return { kind: 'note', text };
}
