/**
 * `printos logout`: unlinks the client and stops the service (the seed: it disconnects
 * every printer and interrupts active prints, which are stopped safely). From offline
 * mode it only leaves offline mode, as in the original.
 */
import type { Command } from 'commander';
import { connectToService } from '../service/api-client.js';
import { resolveDataDir } from '../service/data-dir.js';
import type { PrinterView } from '../service/views.js';
import { addDataDirOption } from './data-dir-option.js';
import { confirm } from './prompt.js';

interface LogoutOptions {
  yes?: boolean;
  dataDir?: string;
}

export function registerLogout(program: Command): void {
  const command = program
    .command('logout')
    .description('Unlink the cloud account and stop the service (interrupts active prints)')
    .option('-y, --yes', 'do not ask, even when prints would be interrupted');
  addDataDirOption(command).action((opts: LogoutOptions) => logout(opts));
}

/** What logging out would interrupt, for the confirmation. */
export function logoutWarning(printers: PrinterView[]): string {
  const names = printers.map((p) => p.name).join(', ') || 'none';
  const jobs = printers.filter((p) => p.job).map((p) => `${p.job?.filename} on ${p.name}`);
  const prints =
    jobs.length > 0 ? ` It interrupts ${jobs.length} print(s): ${jobs.join('; ')}.` : '';
  return `Logging out stops the printos service and disconnects every printer (${names}).${prints}`;
}

async function logout(opts: LogoutOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  const service = await connectToService(dataDir);
  if (!service) {
    const { forgetLogin } = await import('../app-service.js');
    const done = await forgetLogin(dataDir);
    process.stdout.write(`${done}\n`);
    return;
  }
  const status = await service.request<{ offline: boolean; printers: PrinterView[] }>(
    'GET',
    '/api/status',
  );
  if (!status.offline) await confirm(logoutWarning(status.printers), opts.yes);
  const result = await service.request<{ stopping: boolean; interruptedJobs: string[] }>(
    'POST',
    '/api/logout',
  );
  if (!result.stopping) {
    process.stdout.write('Left offline mode; the service keeps running.\n');
    return;
  }
  const interrupted = result.interruptedJobs.length
    ? ` Interrupted: ${result.interruptedJobs.join(', ')}.`
    : '';
  process.stdout.write(`Logged out; the service is stopping.${interrupted}\n`);
}
