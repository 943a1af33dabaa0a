/**
 * The root PAM helper's part of install and uninstall (docs/service.md, "Checking other
 * users' passwords"): build native/printos-pam-helper.c as root outside the prefix (which
 * the service user owns and could swap), write its socket and per-connection units and the
 * /etc/pam.d file, and take them away again. Pure planning, like plan-install.ts.
 */
import { basename, dirname, join } from 'node:path';
import { PrintosError } from '../../core/errors.js';
import { hiddenFromService, type InstallParams, isWithin } from './params.js';
import type { Step } from './steps.js';
import { renderPamService, renderPamSocket, UNIT_MARKER } from './unit.js';

export const PAM_HELPER = {
  socketUnit: 'printos-pam.socket',
  serviceUnit: 'printos-pam@.service',
  /** Where the service connects (the unit's PRINTOS_PAM_SOCKET). */
  socketPath: '/run/printos/pam.sock',
  /** Root-owned, outside the prefix: the service user cannot replace what root runs. */
  helperPath: '/usr/local/libexec/printos/printos-pam-helper',
  configDir: '/etc/pam.d',
  /** The /etc/pam.d file name: the helper's argv[1] in packaging/printos-pam@.service. */
  pamService: 'printos',
  /** In the package root. */
  source: 'native/printos-pam-helper.c',
  socketTemplate: 'packaging/printos-pam.socket',
  serviceTemplate: 'packaging/printos-pam@.service',
  config: 'packaging/printos.pam',
  /** What cc needs, checked before any step (libpam0g-dev installs it). */
  header: '/usr/include/security/pam_appl.h',
} as const;

/** -O2 -Wall -Wextra as the brief asks, plus the usual hardening of a root binary. */
export const CC_FLAGS = [
  '-O2',
  '-Wall',
  '-Wextra',
  '-D_FORTIFY_SOURCE=2',
  '-fstack-protector-strong',
  '-Wl,-z,relro,-z,now',
] as const;

const NO_HELPER_NOTE =
  'remote users can sign in with the linked cloud account only: OS account passwords cannot be checked';

export interface PamInstallFacts {
  /** Where the helper and the PAM file go (PAM_HELPER's; tests pass temporary ones). */
  helperPath: string;
  configDir: string;
  /** `cc` is on PATH. */
  compiler: boolean;
  /** PAM_HELPER.header exists. */
  headers: boolean;
  /** The package's native/printos-pam-helper.c exists. */
  source: boolean;
  socketTemplate?: string;
  serviceTemplate?: string;
  config?: string;
  configDirExists: boolean;
  /** configDir/printos exists already (it is then kept as it is). */
  configExists: boolean;
  /** An existing folder above the helper that is not root's alone (uid ≠ 0, or writable by others). */
  unsafeDir?: string;
  socketActive: boolean;
}

/** The checks that refuse an install; every one names the way out. */
export function refusePamHelper(
  params: InstallParams,
  prefix: string,
  dataDir: string,
  facts: PamInstallFacts,
): void {
  if (!params.pamHelper) return;
  const orSkip = `, or install with --no-pam-helper (${NO_HELPER_NOTE})`;
  if (!facts.compiler || !facts.headers) {
    const missing = [!facts.compiler && 'a C compiler (cc)', !facts.headers && PAM_HELPER.header]
      .filter(Boolean)
      .join(' and ');
    throw invalid(
      `The PAM helper is built at install and needs ${missing}: apt-get install gcc libpam0g-dev${orSkip}`,
    );
  }
  const missingFiles = [
    !facts.source && PAM_HELPER.source,
    facts.socketTemplate === undefined && PAM_HELPER.socketTemplate,
    facts.serviceTemplate === undefined && PAM_HELPER.serviceTemplate,
    facts.config === undefined && PAM_HELPER.config,
  ].filter(Boolean);
  if (missingFiles.length > 0) {
    throw invalid(`The package lacks ${missingFiles.join(', ')}${orSkip}`);
  }
  if (!facts.configDirExists) throw invalid(`${facts.configDir} does not exist: is PAM installed?`);
  if (isWithin(facts.helperPath, prefix) || isWithin(facts.helperPath, dataDir)) {
    throw invalid(`The PAM helper ${facts.helperPath} would lie in a folder the service user owns`);
  }
  if (facts.unsafeDir) {
    throw invalid(
      `${facts.unsafeDir} is not root's alone (owned by another user, or writable by others): ` +
        `the root helper ${facts.helperPath} cannot be kept safe there`,
    );
  }
}

/** Install's notes about the helper: where it could not be seen, or that there is none. */
export function pamHelperNotes(params: InstallParams, facts: PamInstallFacts): string[] {
  if (!params.pamHelper) return [`no PAM helper (--no-pam-helper): ${NO_HELPER_NOTE}`];
  const hidden = hiddenFromService(facts.helperPath);
  if (!hidden) return [];
  const message = `the PAM helper ${facts.helperPath} lies in ${hidden}, which its unit cannot see (PrivateTmp, ProtectHome)`;
  if (!params.noStart) throw invalid(message);
  return [`${message}; allowed only because of --no-start`];
}

/** Build the helper, write its units and the PAM file: after unitDir exists, before the main unit. */
export function pamInstallSteps(
  params: InstallParams,
  facts: PamInstallFacts,
  source: string,
  group: string,
): Step[] {
  if (!params.pamHelper) return [];
  const steps: Step[] = [
    { kind: 'mkdir', path: dirname(facts.helperPath), mode: 0o755 },
    {
      kind: 'compile',
      compiler: 'cc',
      flags: CC_FLAGS,
      source: join(source, PAM_HELPER.source),
      libs: ['-lpam'],
      output: facts.helperPath,
      mode: 0o755,
    },
    {
      kind: 'write',
      path: join(params.unitDir, PAM_HELPER.socketUnit),
      content: renderPamSocket(facts.socketTemplate ?? '', {
        group,
        socketPath: PAM_HELPER.socketPath,
      }),
      mode: 0o644,
    },
    {
      kind: 'write',
      path: join(params.unitDir, PAM_HELPER.serviceUnit),
      content: renderPamService(facts.serviceTemplate ?? '', { helperPath: facts.helperPath }),
      mode: 0o644,
    },
  ];
  const configPath = join(facts.configDir, PAM_HELPER.pamService);
  if (facts.configExists) {
    steps.push({ kind: 'note', text: `${configPath} exists: kept as it is` });
  } else {
    if (!facts.config?.includes(UNIT_MARKER)) {
      throw new PrintosError('INTERNAL', `${PAM_HELPER.config} lacks its "written by" marker line`);
    }
    steps.push({ kind: 'write', path: configPath, content: facts.config, mode: 0o644 });
  }
  return steps;
}

/** systemctl for the socket, before the main service (which wants it) is started. */
export function pamStartSteps(params: InstallParams, facts: PamInstallFacts): Step[] {
  if (!params.pamHelper || params.noStart) return [];
  const steps: Step[] = [
    {
      kind: 'run',
      argv: ['systemctl', 'enable', '--now', PAM_HELPER.socketUnit],
      why: 'the PAM helper socket, now and at boot',
    },
  ];
  if (facts.socketActive) {
    steps.push({
      kind: 'run',
      argv: ['systemctl', 'restart', PAM_HELPER.socketUnit],
      why: 'listen with the new socket unit',
    });
  }
  return steps;
}

export interface PamUninstallFacts {
  socketUnit: { exists: boolean; ours: boolean };
  serviceUnit: { exists: boolean; ours: boolean; helperPath?: string };
  /** The helper the installed unit runs (PAM_HELPER's path when it does not say). */
  helper: { path: string; exists: boolean; dirHoldsOnlyHelper: boolean };
  config: { path: string; exists: boolean; ours: boolean };
}

/** Where the helper is: the installed unit says, when it is ours. */
export function installedHelperPath(
  serviceUnit: PamUninstallFacts['serviceUnit'],
  fallback: string,
): string {
  return serviceUnit.ours && serviceUnit.helperPath ? serviceUnit.helperPath : fallback;
}

/** Removes only what is ours: marked units and PAM file, a file named like the helper. */
export function pamUninstallSteps(
  unitDir: string,
  facts: PamUninstallFacts,
): { files: Step[]; helper: Step[] } {
  const files: Step[] = [];
  for (const [name, unit] of [
    [PAM_HELPER.socketUnit, facts.socketUnit],
    [PAM_HELPER.serviceUnit, facts.serviceUnit],
  ] as const) {
    const path = join(unitDir, name);
    if (!unit.exists) continue;
    files.push(
      unit.ours
        ? { kind: 'remove', path }
        : note(`${path} was not written by printos service install: left in place`),
    );
  }
  const helper: Step[] = [];
  const { path, exists, dirHoldsOnlyHelper } = facts.helper;
  if (exists && basename(path) === basename(PAM_HELPER.helperPath)) {
    const dir = dirname(path);
    const removeDir = dirHoldsOnlyHelper && basename(dir) === 'printos';
    helper.push({ kind: 'remove', path: removeDir ? dir : path });
  } else if (exists) {
    helper.push(note(`${path} is not named like the PAM helper: left in place`));
  }
  const config = facts.config;
  if (config.exists) {
    helper.push(
      config.ours
        ? { kind: 'remove', path: config.path }
        : note(`${config.path} was not written by printos service install: left in place`),
    );
  }
  return { files, helper };
}

function note(text: string): Step {
  return { kind: 'note', text };
}

function invalid(message: string): PrintosError {
  return new PrintosError('INVALID_ARGUMENT', message);
}
