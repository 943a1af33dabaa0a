import type { Command } from 'commander';
import { connectPrinter } from '../app.js';
import { parsePrinterSettings } from '../config/printer-settings.js';
import { PrintosError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import type { PrinterDriver } from '../printer/driver.js';
import { openJobSource } from '../printer/job-source.js';
import type { JobResult } from '../printer/sender/types.js';
import { parseIntOption } from './handle-error.js';
import { progressBar, progressLine } from './progress.js';

interface PrintOptions {
  port?: string;
  printer?: string;
  dataDir?: string;
  baud?: string;
  flow: string;
  rxBuffer?: string;
  commandBuffer?: string;
  reset: boolean;
  quiet?: boolean;
}

export function registerPrint(program: Command): void {
  program
    .command('print')
    .description(
      'print a G-code file (.gcode, or a .zip holding one) on a printer attached by serial',
    )
    .argument('<file>', 'the G-code file')
    .option('--port <path>', 'serial port of the printer, e.g. /dev/ttyUSB0 (see `printos ports`)')
    .option(
      '--printer <id>',
      'print on this printer of the running service (`printos printers list`)',
    )
    .option(
      '--data-dir <dir>',
      'the data directory of the service (default $PRINTOS_HOME or ~/.printos)',
    )
    .option('--baud <rate>', 'baud rate; probed (250000, 115200, …) when not given')
    .option(
      '--flow <mode>',
      'flow control: window (fast) or ping-pong (one line at a time)',
      'window',
    )
    .option('--rx-buffer <bytes>', "the firmware's serial receive buffer", '128')
    .option(
      '--command-buffer <slots>',
      'command slots (BUFSIZE) to assume before the firmware reports them',
      '1',
    )
    .option('--no-reset', 'do not pulse DTR to reset the board on connect')
    .option('-q, --quiet', 'no progress output')
    .action(async (file: string, options: PrintOptions) => {
      process.exitCode = await runPrint(file, options);
    });
}

async function runPrint(file: string, options: PrintOptions): Promise<number> {
  const viaService = await serviceRoute(options);
  if (viaService) return viaService(file);
  if (options.port === undefined) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      'Give --port PATH (or --printer ID of a running service).',
    );
  }
  const port = options.port;
  const settings = parsePrinterSettings(
    {
      flow: options.flow,
      rxBufferBytes: parseIntOption('--rx-buffer', options.rxBuffer ?? '128', 32),
      commandSlots: parseIntOption('--command-buffer', options.commandBuffer ?? '1', 1),
      resetOnConnect: options.reset,
    },
    'options',
  );
  const baudRate =
    options.baud === undefined ? undefined : parseIntOption('--baud', options.baud, 1);
  const source = await openJobSource(file, { parenComments: settings.parenComments });
  const log = createLogger({ level: process.env.PRINTOS_LOG_LEVEL ?? 'warn' });
  let driver: PrinterDriver;
  try {
    driver = await connectPrinter({ path: port, baudRate, settings, log });
  } catch (err) {
    await source.close();
    throw err;
  }
  const stopSignals = handleInterrupts(driver);
  const stopProgress = options.quiet ? () => {} : showProgress(driver);
  try {
    const result = await driver.print(source);
    stopProgress();
    return reportResult(result);
  } finally {
    stopSignals();
    await driver.stop();
  }
}

/**
 * When a service runs and owns the printer (`--printer`, or the `--port` of one of its
 * printers), the job must go through it: the port is locked by the service.
 */
async function serviceRoute(
  options: PrintOptions,
): Promise<((file: string) => Promise<number>) | null> {
  if (options.printer === undefined && options.port === undefined) return null;
  const { connectToService } = await import('../service/api-client.js');
  const { resolveDataDir } = await import('../service/data-dir.js');
  const service = await connectToService(resolveDataDir(options.dataDir));
  if (!service) {
    if (options.printer === undefined) return null;
    throw new PrintosError(
      'SERVICE_NOT_RUNNING',
      '--printer needs a running service (printos start).',
    );
  }
  const { findServicePrinter, printViaService } = await import('./print-via-service.js');
  const wanted =
    options.printer === undefined ? { port: options.port as string } : { printer: options.printer };
  const printer = await findServicePrinter(service, wanted);
  if (!printer) return null;
  return (file) => printViaService(service, printer, file, options.quiet ? { quiet: true } : {});
}

function reportResult(result: JobResult): number {
  if (result.outcome === 'completed') {
    process.stdout.write(`printed ${result.name}: ${result.linesAcked} lines acknowledged\n`);
    return 0;
  }
  if (result.outcome === 'cancelled') {
    throw new PrintosError(
      'JOB_CANCELLED',
      `Cancelled ${result.name} after file line ${result.lastAckedFileLine}; heaters are off.`,
    );
  }
  throw result.error ?? new PrintosError('INTERNAL', `The job ${result.name} failed.`);
}

/** First Ctrl-C cancels cleanly (heaters off, motion stopped); a second one is an emergency stop. */
function handleInterrupts(driver: PrinterDriver): () => void {
  let count = 0;
  const onSignal = () => {
    count++;
    if (count === 1) {
      process.stderr.write(
        '\ncancelling: waiting for the printer to stop (Ctrl-C again for an emergency stop)\n',
      );
      driver.cancel();
    } else {
      process.stderr.write('\nemergency stop (M112)\n');
      driver.emergencyStop();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function showProgress(driver: PrinterDriver): () => void {
  const started = performance.now();
  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  const off = driver.events.on('job:progress', (progress) => {
    const now = performance.now();
    const temperatures = driver.status().temperatures;
    const sample = { progress, elapsed: (now - started) / 1000, temperatures };
    if (tty) {
      process.stdout.write(`\r${progressBar(sample)}`);
    } else if (now - lastPlain >= 5_000) {
      lastPlain = now;
      process.stdout.write(`${progressLine(sample)}\n`);
    }
  });
  return () => {
    off();
    if (tty) process.stdout.write('\n');
  };
}
