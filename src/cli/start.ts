/**
 * `printos start`: runs the client service in the foreground (systemd runs it the same
 * way): the printers, the cloud link, the web interface on 127.0.0.1:8008 (and, with
 * external access, on 443/80 for the network), and the CLI's JSON API.
 */
import type { Command } from 'commander';
import { PrintosError } from '../core/errors.js';
import { createLogger, type LogFile, openLogFile } from '../core/log.js';
import { LogRing } from '../core/log-ring.js';
import { dataPaths, resolveDataDir } from '../service/data-dir.js';
import { addDataDirOption } from './data-dir-option.js';
import { parseIntOption } from './handle-error.js';

interface StartOptions {
  cloudUrl?: string;
  virtualPrinter?: boolean;
  localPort?: string;
  offline?: boolean;
  dataDir?: string;
  logLevel?: string;
  logFileSize?: string;
  logFiles?: string;
  profile?: string;
  external?: boolean;
  httpPort?: string;
  httpsPort?: string;
  browser: boolean;
  supervised?: boolean;
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
    .option('--log-level <level>', 'trace, debug, info, warn or error', 'info')
    .option(
      '--log-file-size <size>',
      'size at which the log file in <data-dir>/logs rotates: bytes, or with k or m (default 5m)',
    )
    .option('--log-files <n>', 'log files kept in <data-dir>/logs, the current one included (5)')
    .option(
      '--supervised',
      'run the service under a supervisor that restarts it into an update and rolls back a version that fails its health check (the systemd unit does this)',
    );
  addDataDirOption(command).action((opts: StartOptions) => start(opts));
}

async function start(opts: StartOptions): Promise<void> {
  if (opts.supervised) {
    process.exitCode = await supervise(opts);
    return;
  }
  const { runClientService } = await import('../app-service.js');
  const dataDir = resolveDataDir(opts.dataDir);
  const output = await logOutput(dataDir, opts);
  const log = createLogger({ level: opts.logLevel ?? 'info', ...output });
  process.exitCode = await runClientService({
    dataDir,
    log,
    ...(output.ring ? { logRing: output.ring } : {}),
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
        output.file ? `log files: ${output.file.dir}` : 'log: in memory only (see above)',
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
  // Writes are synchronous; this only makes sure nothing is left when the process ends.
  output.file?.flush();
}

/**
 * The service log goes to stderr and to the rotating files of <data-dir>/logs. When the
 * folder cannot be used, the service still runs, with its recent lines kept in memory
 * for the support bundle.
 */
async function logOutput(
  dataDir: string,
  opts: StartOptions,
): Promise<{ file?: LogFile; ring?: LogRing }> {
  const maxBytes = opts.logFileSize === undefined ? undefined : parseSize(opts.logFileSize);
  const maxFiles =
    opts.logFiles === undefined ? undefined : parseIntOption('--log-files', opts.logFiles, 1);
  try {
    const file = await openLogFile({
      dir: dataPaths(dataDir).logs,
      ...(maxBytes === undefined ? {} : { maxBytes }),
      ...(maxFiles === undefined ? {} : { maxFiles }),
    });
    return { file };
  } catch (err) {
    process.stderr.write(`printos: no log file: ${(err as Error).message}\n`);
    return { ring: new LogRing() };
  }
}

/** `5m`, `200k`, `1048576`: at least 1 KiB. */
function parseSize(text: string): number {
  const match = /^(\d+)([kKmM]?)$/.exec(text.trim());
  const unit = match?.[2]?.toLowerCase();
  const bytes = match ? Number(match[1]) * (unit === 'm' ? 1024 ** 2 : unit === 'k' ? 1024 : 1) : 0;
  if (bytes < 1024) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `--log-file-size must be a size of at least 1k (bytes, or with k or m), got "${text}"`,
    );
  }
  return bytes;
}

/**
 * The supervisor: runs `printos start` (the same options) from <prefix>/current as a child.
 * main.ts normally starts it before loading the CLI (a lean process); this is the same
 * for a program built without that shortcut (tests).
 */
async function supervise(_opts: StartOptions): Promise<number> {
  const { runSupervisor } = await import('../update/supervisor-main.js');
  return runSupervisor(process.argv);
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
