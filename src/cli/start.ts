/**
 * `printos start`: runs the client service in the foreground (systemd runs it the same
 * way): the printers, the cloud link, and the local API on 127.0.0.1.
 */
import type { Command } from 'commander';
import { createLogger } from '../core/log.js';
import { LogRing } from '../core/log-ring.js';
import { resolveDataDir } from '../service/data-dir.js';
import { addDataDirOption } from './data-dir-option.js';
import { parseIntOption } from './handle-error.js';

interface StartOptions {
  cloudUrl?: string;
  virtualPrinter?: boolean;
  localPort?: string;
  offline?: boolean;
  dataDir?: string;
  logLevel?: string;
}

export function registerStart(program: Command): void {
  const command = program
    .command('start')
    .description('Run the client service: printers, cloud link, local API (until Ctrl-C)')
    .option(
      '--cloud-url <url>',
      'the cloud: "embedded" (default) or an https URL (setting cloud.url)',
    )
    .option('--virtual-printer', 'add a virtual Marlin printer on a pty for this run')
    .option(
      '--local-port <n>',
      'port of the local listener on 127.0.0.1 (setting local.port; 0 = any free port)',
    )
    .option('--offline', 'start in offline mode (no cloud link)')
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info');
  addDataDirOption(command).action((opts: StartOptions) => start(opts));
}

async function start(opts: StartOptions): Promise<void> {
  const { runClientService } = await import('../app-service.js');
  const logRing = new LogRing();
  const log = createLogger({ level: opts.logLevel ?? 'info', ring: logRing });
  await runClientService({
    dataDir: resolveDataDir(opts.dataDir),
    log,
    logRing,
    virtualPrinter: Boolean(opts.virtualPrinter),
    ...(opts.cloudUrl === undefined ? {} : { cloudUrl: opts.cloudUrl }),
    ...(opts.localPort === undefined
      ? {}
      : { localPort: parseIntOption('--local-port', opts.localPort, 0) }),
    ...(opts.offline ? { offline: true } : {}),
    onReady: (info) => {
      const lines = [
        `printos: local API on ${info.localUrl}`,
        `cloud: ${info.cloudUrl}${info.embeddedCloud ? ' (embedded)' : ''}`,
        ...info.printers.map((p) => `printer ${p.id}: ${p.port}`),
        info.account
          ? `linked to ${info.account}`
          : info.offline
            ? 'offline mode'
            : 'not linked: run `printos login` (or sign up at the cloud first)',
      ];
      process.stderr.write(`${lines.join('\n')}\n`);
    },
  });
}
