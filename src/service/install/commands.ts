/**
 * `printos service install|uninstall|status`: gather the facts, plan, execute. The CLI
 * (src/cli/service.ts) only parses options; tests call these with their own deps.
 */
import { readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { PrintosError } from '../../core/errors.js';
import { runningPackageRoot } from '../../update/layout.js';
import { listPackageFiles } from '../../update/package-files.js';
import { executeSteps } from './execute.js';
import {
  existingGroups,
  inspectDataDir,
  inspectPrefix,
  lookupUser,
  readTextOrUndefined,
  serviceActive,
  systemdRunning,
} from './facts.js';
import {
  parseInstallParams,
  parseUninstallParams,
  SERVICE_GROUPS,
  SERVICE_NAME,
} from './params.js';
import { inspectPamInstall, inspectPamUninstall, PAM_LOCATIONS } from './pam-facts.js';
import { PAM_HELPER } from './pam-helper.js';
import { type InstallFacts, planInstall } from './plan-install.js';
import { planUninstall, uninstallTargets } from './plan-uninstall.js';
import { type CommandRunner, execFileRunner } from './runner.js';
import { describeSource, type SourceDeps } from './source.js';
import { parseInstalledUnit, UNIT_TEMPLATE_PATH } from './unit.js';

export interface ServiceCommandDeps extends SourceDeps {
  write: (line: string) => void;
  run?: CommandRunner;
  /** Defaults: the real uid, /run/systemd/system, process.execPath, the running package. */
  isRoot?: boolean;
  systemd?: boolean;
  node?: string;
  packageRoot?: string;
  /** Where the PAM helper and /etc/pam.d/printos go (tests: temporary folders). */
  pamHelperPath?: string;
  pamConfigDir?: string;
}

function pamLocations(deps: ServiceCommandDeps) {
  return {
    helperPath: deps.pamHelperPath ?? PAM_LOCATIONS.helperPath,
    configDir: deps.pamConfigDir ?? PAM_LOCATIONS.configDir,
  };
}

export async function installService(options: unknown, deps: ServiceCommandDeps): Promise<void> {
  const params = parseInstallParams(options);
  const run = deps.run ?? execFileRunner;
  const facts = await installFacts(params, deps, run);
  const steps = planInstall(params, facts);
  await executeSteps(steps, { run, write: deps.write, dryRun: params.dryRun });
  if (!params.dryRun) {
    deps.write(
      `printos ${facts.source.version} is installed in ${params.prefix}, runs as ${params.user}, ` +
        `keeps its data in ${params.dataDir}.`,
    );
  }
}

async function installFacts(
  params: ReturnType<typeof parseInstallParams>,
  deps: ServiceCommandDeps,
  run: CommandRunner,
): Promise<InstallFacts> {
  // A checkout is copied as a release would be: production node_modules only (brief A's list).
  const listFiles = deps.listFiles ?? ((root: string) => listPackageFiles(root));
  const root = params.source ?? deps.packageRoot ?? runningPackageRoot();
  const source = await describeSource(root, { listFiles });
  const templatePath = join(source.root, UNIT_TEMPLATE_PATH);
  const unitTemplate = await readTextOrUndefined(templatePath);
  if (unitTemplate === undefined) {
    throw new PrintosError('INVALID_ARGUMENT', `${source.root} has no ${UNIT_TEMPLATE_PATH}`);
  }
  const systemd = deps.systemd ?? systemdRunning();
  return {
    isRoot: deps.isRoot ?? process.getuid?.() === 0,
    systemd,
    serviceActive: systemd ? await serviceActive(run, SERVICE_NAME) : false,
    user: await lookupUser(run, params.user),
    groups: await existingGroups(run, SERVICE_GROUPS),
    node: deps.node ?? process.execPath,
    source,
    prefix: await inspectPrefix(params.prefix),
    dataDir: await inspectDataDir(params.dataDir),
    unitTemplate,
    pam: await inspectPamInstall(source.root, pamLocations(deps), run, systemd),
  };
}

export async function uninstallService(options: unknown, deps: ServiceCommandDeps): Promise<void> {
  const params = parseUninstallParams(options);
  const run = deps.run ?? execFileRunner;
  const unitPath = join(params.unitDir, SERVICE_NAME);
  const unitText = await readTextOrUndefined(unitPath);
  const installed = unitText === undefined ? undefined : parseInstalledUnit(unitText);
  const targets = uninstallTargets(params, installed);
  const steps = planUninstall(params, targets, {
    isRoot: deps.isRoot ?? process.getuid?.() === 0,
    systemd: deps.systemd ?? systemdRunning(),
    unit: { exists: installed !== undefined, ours: installed?.ours === true },
    prefix: await inspectPrefix(targets.prefix),
    dataDir: await inspectDataDir(targets.dataDir),
    user: await lookupUser(run, targets.user),
    pam: await inspectPamUninstall(params.unitDir, pamLocations(deps)),
  });
  await executeSteps(steps, { run, write: deps.write, dryRun: params.dryRun });
}

export interface StatusOptions {
  unitDir?: string;
}

/** Where the unit is, which version `current` runs, and what systemd says: all cheap reads. */
export async function serviceStatus(
  options: StatusOptions,
  deps: ServiceCommandDeps,
): Promise<void> {
  const params = parseUninstallParams({ unitDir: options.unitDir });
  const run = deps.run ?? execFileRunner;
  const unitPath = join(params.unitDir, SERVICE_NAME);
  const unitText = await readTextOrUndefined(unitPath);
  if (unitText === undefined) {
    deps.write(`not installed (no ${unitPath}); install with: sudo printos service install`);
    return;
  }
  const unit = parseInstalledUnit(unitText);
  deps.write(`unit: ${unitPath}${unit.ours ? '' : ' (not written by printos service install)'}`);
  if (unit.user) deps.write(`user: ${unit.user}`);
  if (unit.dataDir) deps.write(`data: ${unit.dataDir}`);
  if (unit.prefix) {
    const current = await readlink(join(unit.prefix, 'current')).catch(() => 'missing');
    deps.write(`installed: ${unit.prefix} (current -> ${current})`);
  }
  if (!(deps.systemd ?? systemdRunning())) {
    deps.write('state: unknown (systemd is not running here)');
    return;
  }
  const active = await run('systemctl', ['is-active', SERVICE_NAME]);
  deps.write(`state: ${active.stdout.trim() || 'unknown'}`);
  const socket = await run('systemctl', ['is-active', PAM_HELPER.socketUnit]);
  deps.write(`PAM helper socket: ${socket.stdout.trim() || 'unknown'}`);
}
