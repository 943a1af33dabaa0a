/**
 * `printos update --check` and `printos update [--yes]`: the web interface's update
 * button from a terminal. The running service does the work (download, verification,
 * install, restart); this command asks, follows the progress, and waits for the new
 * version to answer — or reports the rollback.
 */
import type { Command } from 'commander';
import { ERROR_CODES, type ErrorCode, PrintosError } from '../core/errors.js';
import { connectToService, requireService, type ServiceClient } from '../service/api-client.js';
import { resolveDataDir } from '../service/data-dir.js';
import type { UpdateStatus } from '../update/updater.js';
import { addDataDirOption } from './data-dir-option.js';
import { confirm, isInteractive } from './prompt.js';

interface UpdateOptions {
  check?: boolean;
  yes?: boolean;
  json?: boolean;
  dataDir?: string;
  /** How long to wait for the new version (seconds). */
  wait?: string;
}

export function registerUpdate(program: Command): void {
  const command = program
    .command('update')
    .description('Update printos to the latest signed release from the cloud')
    .option('--check', 'only say whether an update is available (and its release notes)')
    .option('-y, --yes', 'do not ask; with a print running, update once the printer is idle')
    .option('--json', 'print the update status as JSON')
    .option('--wait <seconds>', 'how long to wait for the new version to answer', '300');
  addDataDirOption(command).action((opts: UpdateOptions) => update(opts));
}

async function update(opts: UpdateOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  const service = await requireService(dataDir);
  const status = await service.request<UpdateStatus>('POST', '/api/update/check');
  if (opts.json && opts.check) return print(`${JSON.stringify(status, null, 2)}\n`);
  describe(status);
  if (status.error) throw errorOf(status.error);
  if (opts.check || !status.available) return;
  if (status.cannotInstall) throw new PrintosError('UPDATE_NOT_INSTALLED', status.cannotInstall);
  const target = status.available.version;
  await confirm(`Install printos ${target} and restart the service?`, opts.yes);
  const started = await applyOrWait(service, opts);
  if (started.phase === 'waiting-for-idle') {
    print('The update will start as soon as no printer is printing.\n');
    return;
  }
  await follow(dataDir, service, target, status.current, waitMs(opts.wait));
}

function describe(status: UpdateStatus): void {
  if (status.last?.outcome === 'rolled-back') {
    print(`The last update (to ${status.last.to}) was rolled back: ${status.last.reason ?? ''}\n`);
  }
  if (!status.available) {
    if (!status.error) print(`printos ${status.current} is up to date.\n`);
    return;
  }
  print(`printos ${status.available.version} is available (this is ${status.current}).\n`);
  if (status.available.notes.trim() !== '') print(`\n${status.available.notes.trim()}\n\n`);
  if (status.busy) print(`${status.busy}: printos does not update during a print.\n`);
}

/** Starts the update; with a print running, offers to update when the printer is idle. */
async function applyOrWait(service: ServiceClient, opts: UpdateOptions): Promise<UpdateStatus> {
  try {
    return await service.request<UpdateStatus>('POST', '/api/update/apply', { whenIdle: false });
  } catch (err) {
    if (!(err instanceof PrintosError) || err.code !== 'PRINTER_BUSY') throw err;
    print(`${err.message}\n`);
    if (!opts.yes && !isInteractive()) throw err;
    await confirm('Update when the printer is idle?', opts.yes);
    return service.request<UpdateStatus>('POST', '/api/update/apply', { whenIdle: true });
  }
}

/** Shows the download, then waits for the service to come back as the new version. */
async function follow(
  dataDir: string,
  service: ServiceClient,
  target: string,
  previous: string,
  timeoutMs: number,
): Promise<void> {
  const since = Date.now();
  const deadline = since + timeoutMs;
  let shown = -1;
  while (Date.now() < deadline) {
    const status = await service.request<UpdateStatus>('GET', '/api/update').catch(() => null);
    if (!status || status.phase === 'restarting') break;
    if (status.phase === 'failed' && status.error) {
      throw errorOf(status.error);
    }
    const percent = status.progress
      ? Math.floor((100 * status.progress.received) / status.progress.total)
      : 0;
    if (status.phase === 'downloading' && percent !== shown) {
      shown = percent;
      print(`downloading ${percent}%\n`);
    }
    await sleep(300);
  }
  print(`Restarting into printos ${target}…\n`);
  const running = await waitForVersion(dataDir, previous, since, deadline);
  if (running === target) {
    print(`printos ${target} is running.\n`);
    return;
  }
  const after = await (await connectToService(dataDir))
    ?.request<UpdateStatus>('GET', '/api/update')
    .catch(() => null);
  const reason = after?.last?.outcome === 'rolled-back' ? after.last.reason : undefined;
  throw new PrintosError(
    'UPDATE_FAILED',
    running
      ? `The update to ${target} was rolled back; printos ${running} runs. ${reason ?? ''}`.trim()
      : `The service did not come back within the wait; see printos logs.`,
  );
}

/**
 * Waits until a service answers with another version than `previous`, or the previous
 * version answers again with a rollback recorded after `since`.
 */
async function waitForVersion(
  dataDir: string,
  previous: string,
  since: number,
  deadline: number,
): Promise<string | null> {
  let answered: string | null = null;
  while (Date.now() < deadline) {
    const client = await connectToService(dataDir).catch(() => null);
    const health = await client
      ?.request<{ version: string }>('GET', '/api/health')
      .catch(() => null);
    if (health) {
      answered = health.version;
      if (health.version !== previous) return health.version;
      const status = await client?.request<UpdateStatus>('GET', '/api/update').catch(() => null);
      const last = status?.last;
      if (last?.outcome === 'rolled-back' && Date.parse(last.at) >= since) {
        return health.version;
      }
    }
    await sleep(500);
  }
  return answered;
}

function waitMs(value: string | undefined): number {
  const seconds = Number(value ?? '300');
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new PrintosError('INVALID_ARGUMENT', '--wait takes whole seconds from 1 to 3600.');
  }
  return seconds * 1000;
}

/** The service's error, with its code when it is one of ours. */
function errorOf(error: { code: string; message: string }): PrintosError {
  const code: ErrorCode = error.code in ERROR_CODES ? (error.code as ErrorCode) : 'UPDATE_FAILED';
  return new PrintosError(code, error.message);
}

function print(text: string): void {
  process.stdout.write(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
