/** `printos status [--json]`: the linked account, the printers with state, temperatures, progress. */
import type { Command } from 'commander';
import { connectToService } from '../service/api-client.js';
import { resolveDataDir } from '../service/data-dir.js';
import type { PrinterView } from '../service/views.js';
import { addDataDirOption } from './data-dir-option.js';

export interface StatusReport {
  service: { running: boolean; url?: string };
  account: { email: string } | null;
  offline: boolean;
  autologin?: string;
  cloud?: { url: string };
  printers: PrinterView[];
  /** About the host: an update available, a Raspberry Pi short of power. */
  notices?: string[];
}

export function registerStatus(program: Command): void {
  const command = program
    .command('status')
    .description('Show the linked account and the printers (state, temperatures, job)')
    .option('--json', 'print JSON');
  addDataDirOption(command).action((opts: { json?: boolean; dataDir?: string }) => status(opts));
}

async function status(opts: { json?: boolean; dataDir?: string }): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  const service = await connectToService(dataDir);
  const report: StatusReport = service
    ? {
        service: { running: true, url: service.url },
        ...(await service.request<Omit<StatusReport, 'service'>>('GET', '/api/status')),
      }
    : {
        service: { running: false },
        ...(await (await import('../app-service.js')).localStatus(dataDir)),
      };
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
}

function temperatures(printer: PrinterView): string {
  return printer.temperatures
    .map((t) => `${t.id} ${t.current.toFixed(1)}${t.target === undefined ? '' : `/${t.target}`}`)
    .join('  ');
}

export function formatStatus(report: StatusReport): string {
  const lines = [
    `service: ${report.service.running ? `running (${report.service.url})` : 'not running'}`,
    `account: ${report.offline ? 'offline mode' : (report.account?.email ?? 'not linked')}`,
  ];
  if (report.cloud) lines.push(`cloud:   ${report.cloud.url}`);
  for (const notice of report.notices ?? []) lines.push(`note:    ${notice}`);
  if (report.printers.length === 0)
    lines.push('printers: none (add one: printos printers add --port PATH)');
  for (const p of report.printers) {
    const job = p.job ? `  ${p.job.filename} ${p.job.percent.toFixed(1)}%` : '';
    const link = p.cloud ? (p.cloud.linked ? '  cloud: linked' : '  cloud: not linked') : '';
    lines.push(`- ${p.id} ${p.name}: ${p.state}${job}  ${temperatures(p)}${link}`.trimEnd());
    if (p.lastError) lines.push(`    last error: ${p.lastError}`);
    if (p.cloud?.lastError) lines.push(`    cloud error: ${p.cloud.lastError}`);
  }
  return `${lines.join('\n')}\n`;
}
