/**
 * `printos service install` as a list of steps: pure, from the options and the facts
 * about the machine. Everything that could refuse the install is checked here, before
 * the first step runs, so a refused install changes nothing.
 */
import { join } from 'node:path';
import { PrintosError } from '../../core/errors.js';
import type { DataDirInfo, PrefixInfo, UserInfo } from './facts.js';
import {
  PAM_HELPER,
  type PamInstallFacts,
  pamHelperNotes,
  pamInstallSteps,
  pamStartSteps,
  refusePamHelper,
} from './pam-helper.js';
import {
  hiddenFromService,
  type InstallParams,
  isWithin,
  PREFIX_ENTRIES,
  SERVICE_GROUPS,
  SERVICE_NAME,
} from './params.js';
import type { Step } from './steps.js';
import { renderUnit } from './unit.js';

/** Put in the GECOS field of the account install creates: uninstall --purge removes only those. */
export const USER_MARKER = 'printos service';

/** The package root being installed. */
export interface SourcePackage {
  root: string;
  version: string;
  /** Paths relative to root to copy (top-level names, or files). */
  entries: readonly string[];
  /** release: no src/ (runs dist/); built: dist/ is current; stale/unbuilt: refuse. */
  state: 'release' | 'built' | 'stale' | 'unbuilt';
}

export interface InstallFacts {
  isRoot: boolean;
  systemd: boolean;
  serviceActive: boolean;
  user: UserInfo;
  /** Which of SERVICE_GROUPS exist here. */
  groups: readonly string[];
  /** The node binary the unit will run (process.execPath). */
  node: string;
  source: SourcePackage;
  prefix: PrefixInfo;
  dataDir: DataDirInfo;
  unitTemplate: string;
  pam: PamInstallFacts;
}

const VERSION_NAME = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;

export function planInstall(params: InstallParams, facts: InstallFacts): Step[] {
  if (!facts.isRoot && !params.dryRun) {
    throw new PrintosError(
      'FORBIDDEN',
      'printos service install must run as root (it creates a system user and writes ' +
        `${params.unitDir} and ${params.prefix}): run it again with sudo`,
    );
  }
  const notes = refuseOrWarn(params, facts);
  const { user, prefix, dataDir } = params;
  const group = serviceGroup(params, facts);
  // A new account gets its own group (--user-group); an existing one keeps its primary group.
  const owner = `${user}:${group}`;
  const version = facts.source.version;
  const versionDir = join(prefix, 'versions', version);
  const steps: Step[] = notes.map((text) => ({ kind: 'note', text }));
  if (!facts.isRoot) steps.push({ kind: 'note', text: 'not root: a real install needs sudo' });

  if (!facts.user.exists) steps.push(useraddStep(params));
  steps.push({ kind: 'mkdir', path: dataDir, mode: 0o750 });
  steps.push(run(['chown', '-R', owner, dataDir], 'the service owns its data'));

  steps.push({ kind: 'mkdir', path: prefix, mode: 0o755 });
  steps.push({ kind: 'mkdir', path: join(prefix, 'versions'), mode: 0o755 });
  if (facts.prefix.versions.includes(version)) {
    steps.push({
      kind: 'note',
      text: `printos ${version} is already in ${versionDir}: not copied`,
    });
  } else {
    steps.push({
      kind: 'copy',
      from: facts.source.root,
      entries: facts.source.entries,
      to: versionDir,
    });
  }
  const target = `versions/${version}`;
  const previous = facts.prefix.currentTarget;
  if (previous !== undefined && previous !== target) {
    steps.push({ kind: 'note', text: `${prefix}/current pointed at ${previous}` });
  }
  steps.push({ kind: 'link', path: join(prefix, 'current'), target });
  // The supervisor starts from the last version that proved healthy (src/update/layout.ts).
  steps.push({ kind: 'link', path: join(prefix, 'stable'), target });
  // The updater, running as the user, writes versions/ and swaps current.
  steps.push(run(['chown', '-R', owner, prefix], 'the updater writes new versions here'));

  const unitPath = join(params.unitDir, SERVICE_NAME);
  steps.push({ kind: 'mkdir', path: params.unitDir, mode: 0o755 });
  steps.push(...pamInstallSteps(params, facts.pam, facts.source.root, group));
  steps.push({ kind: 'write', path: unitPath, content: unitText(params, facts), mode: 0o644 });
  steps.push(...systemdSteps(params, facts, unitPath));
  return steps;
}

function unitText(params: InstallParams, facts: InstallFacts): string {
  return renderUnit(facts.unitTemplate, {
    user: params.user,
    group: serviceGroup(params, facts),
    node: facts.node,
    prefix: params.prefix,
    dataDir: params.dataDir,
    supplementaryGroups: SERVICE_GROUPS.filter((group) => facts.groups.includes(group)),
    ...(params.pamHelper
      ? { pam: { socketUnit: PAM_HELPER.socketUnit, socketPath: PAM_HELPER.socketPath } }
      : {}),
  });
}

function serviceGroup(params: InstallParams, facts: InstallFacts): string {
  return facts.user.exists && facts.user.group ? facts.user.group : params.user;
}

function useraddStep(params: InstallParams): Step {
  return run(
    [
      'useradd',
      '--system',
      '--home-dir',
      params.dataDir,
      '--shell',
      '/usr/sbin/nologin',
      '--user-group',
      '--comment',
      USER_MARKER,
      params.user,
    ],
    'the account the service runs as',
  );
}

function systemdSteps(params: InstallParams, facts: InstallFacts, unitPath: string): Step[] {
  const units = params.pamHelper ? [PAM_HELPER.socketUnit, SERVICE_NAME] : [SERVICE_NAME];
  const startCommand = units.map((unit) => `systemctl enable --now ${unit}`).join(' && ');
  if (!facts.systemd) {
    return [
      {
        kind: 'note',
        text:
          `systemd is not running here (no /run/systemd/system): ${unitPath} is written but not ` +
          `loaded. On a machine booted with systemd run: systemctl daemon-reload && ${startCommand}`,
      },
    ];
  }
  const steps: Step[] = [run(['systemctl', 'daemon-reload'], 'load the new unit')];
  if (params.noStart) {
    steps.push({ kind: 'note', text: `not started (--no-start); start it with: ${startCommand}` });
    return steps;
  }
  steps.push(...pamStartSteps(params, facts.pam));
  steps.push(run(['systemctl', 'enable', '--now', SERVICE_NAME], 'start now and at boot'));
  // `enable --now` leaves a running service alone; a re-install must run the new version.
  if (facts.serviceActive) {
    steps.push(run(['systemctl', 'restart', SERVICE_NAME], 'run the installed version'));
  }
  return steps;
}

/** Throws for what makes the install impossible or unsafe; returns warnings. */
function refuseOrWarn(params: InstallParams, facts: InstallFacts): string[] {
  const { prefix, dataDir } = params;
  const source = facts.source;
  if (!VERSION_NAME.test(source.version)) {
    throw invalid(`${source.root}/package.json has no usable version ("${source.version}")`);
  }
  if (source.state === 'unbuilt' || source.state === 'stale') {
    throw invalid(
      `${source.root} holds sources newer than its compiled dist/ (or no dist/ at all): ` +
        'run npm run build there first, so that the service runs what you see',
    );
  }
  if (source.entries.length === 0) throw invalid(`${source.root} holds no package files to copy`);
  if (facts.user.exists && facts.user.uid === 0) {
    throw invalid(`--user ${params.user} has uid 0: the service must not run as root`);
  }
  if (isWithin(dataDir, prefix) || isWithin(prefix, dataDir)) {
    throw invalid(
      '--prefix and --data-dir must not contain one another (uninstall removes the prefix)',
    );
  }
  if (isWithin(prefix, source.root)) {
    throw invalid(`--prefix ${prefix} lies inside the package being copied (${source.root})`);
  }
  refuseForeignPrefix(prefix, facts.prefix);
  refuseForeignDataDir(dataDir, facts.dataDir);
  refusePamHelper(params, prefix, dataDir, facts.pam);
  return hiddenPathNotes(params, facts)
    .concat(pamHelperNotes(params, facts.pam))
    .concat(missingGroupNotes(facts.groups));
}

function refuseForeignPrefix(prefix: string, info: PrefixInfo): void {
  const foreign = info.entries.filter((name) => !PREFIX_ENTRIES.includes(name));
  if (info.notDirectory || info.currentNotLink || foreign.length > 0) {
    throw new PrintosError(
      'CONFLICT',
      `${prefix} is not a printos install (it may hold only versions/, current and update-state.json; ` +
        `found ${info.notDirectory ? 'a file' : foreign.concat(info.currentNotLink ? ['current (not a link)'] : []).join(', ')}): ` +
        'choose another --prefix',
    );
  }
}

function refuseForeignDataDir(dataDir: string, info: DataDirInfo): void {
  if (!info.exists || (info.isDirectory && (info.empty || info.hasSettings))) return;
  throw new PrintosError(
    'CONFLICT',
    `${dataDir} exists and is not a printos data directory (no settings.json): choose ` +
      'another --data-dir, or empty it',
  );
}

/** Paths the unit hides from the service: refused, unless nothing will start it. */
function hiddenPathNotes(params: InstallParams, facts: InstallFacts): string[] {
  const notes: string[] = [];
  const checks: [string, string][] = [
    ['--prefix', params.prefix],
    ['--data-dir', params.dataDir],
    ['node', facts.node],
  ];
  for (const [what, path] of checks) {
    const hidden = hiddenFromService(path);
    if (!hidden) continue;
    const message = `${what} ${path} lies in ${hidden}, which the service cannot see (ProtectHome, PrivateTmp)`;
    if (!params.noStart) {
      throw invalid(
        what === 'node' ? `${message}: install node system-wide (e.g. /usr/bin/node)` : message,
      );
    }
    notes.push(`${message}; allowed only because of --no-start`);
  }
  return notes;
}

function missingGroupNotes(groups: readonly string[]): string[] {
  const why: Record<string, string> = {
    dialout: 'serial ports may be refused to the service',
  };
  return SERVICE_GROUPS.filter((group) => !groups.includes(group)).map(
    (group) => `group ${group} does not exist here: ${why[group]}`,
  );
}

function run(argv: [string, ...string[]], why: string): Step {
  return { kind: 'run', argv, why };
}

function invalid(message: string): PrintosError {
  return new PrintosError('INVALID_ARGUMENT', message);
}
