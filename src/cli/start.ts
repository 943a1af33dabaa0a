/**
 * `printos start`: runs the client service in the foreground (systemd runs it the same
 * way): the printers, the cloud link, the web interface on 127.0.0.1:8008 (and, with
 * external access, on 443/80 for the network), and the CLI's JSON API.
 */
import type { Command } from 'commander';
import { PrintosError } from '../core/errors.js';
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
  profile?: string;
  external?: boolean;
  httpPort?: string;
  httpsPort?: string;
  browser: boolean;
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
    .option(
      '--profile <name>',
      'desktop or rpi: rpi turns external access on (setting web.profile)',
    )
    .option(
      '--external',
      'serve the web interface to the network over HTTPS (setting web.external)',
    )
    .option('--no-external', 'serve the web interface on 127.0.0.1 only')
    .option('--http-port <n>', 'external HTTP port, redirecting to HTTPS (setting web.httpPort)')
    .option('--https-port <n>', 'external HTTPS port (setting web.httpsPort)')
    .option('--no-browser', 'do not open the browser at start (setting web.openBrowser)')
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
    ...webOptions(opts),
    onReady: (info) => {
      const lines = [
        `printos: web interface and local API on ${info.localUrl}`,
        ...info.externalUrls.map((url) => `external access: ${url}`),
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

function webOptions(opts: StartOptions) {
  if (opts.profile !== undefined && opts.profile !== 'desktop' && opts.profile !== 'rpi') {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `--profile must be desktop or rpi, got "${opts.profile}"`,
    );
  }
  return {
    ...(opts.profile ? { profile: opts.profile as 'desktop' | 'rpi' } : {}),
    ...(opts.external === undefined ? {} : { external: opts.external }),
    ...(opts.httpPort === undefined
      ? {}
      : { httpPort: parseIntOption('--http-port', opts.httpPort, 1) }),
    ...(opts.httpsPort === undefined
      ? {}
      : { httpsPort: parseIntOption('--https-port', opts.httpsPort, 1) }),
    ...(opts.browser ? {} : { openBrowser: false }),
  };
}
