/**
 * `printos print` when a service runs: the service holds the printer's port, so the job
 * goes through it (`--printer ID`, or a `--port` one of its printers uses). The command
 * still waits for the end, shows progress, and cancels on Ctrl-C.
 */
import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PrintosError } from '../core/errors.js';
import type { ServiceClient } from '../service/api-client.js';
import type { PrinterView } from '../service/views.js';

/** The service's printer for `--printer ID` or a `--port` path, or null if it has none. */
export async function findServicePrinter(
  service: ServiceClient,
  wanted: { printer?: string; port?: string },
): Promise<PrinterView | null> {
  const printers = await service.request<PrinterView[]>('GET', '/api/printers');
  if (wanted.printer !== undefined) {
    const found = printers.find((p) => p.id === wanted.printer);
    if (!found)
      throw new PrintosError('NOT_FOUND', `The service has no printer ${wanted.printer}.`);
    return found;
  }
  if (wanted.port === undefined) return null;
  const port = await canonical(wanted.port);
  for (const p of printers) {
    if (p.port && (await canonical(p.port)) === port) return p;
  }
  return null;
}

async function canonical(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

export interface ServicePrintOptions {
  quiet?: boolean;
  pollMs?: number;
}

/** Starts the file on the service's printer and waits for its end; the exit code. */
export async function printViaService(
  service: ServiceClient,
  printer: PrinterView,
  file: string,
  options: ServicePrintOptions = {},
): Promise<number> {
  const path = resolve(file);
  const started = await service.request<{ jobSeq: number }>(
    'POST',
    `/api/printers/${encodeURIComponent(printer.id)}/print`,
    { path },
  );
  const stopSignals = interruptsVia(service, printer.id);
  const tty = process.stdout.isTTY === true && !options.quiet;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
      const view = await service.request<PrinterView>(
        'GET',
        `/api/printers/${encodeURIComponent(printer.id)}`,
      );
      const last = view.lastJob;
      if (last && last.seq === started.jobSeq) {
        if (tty) process.stdout.write('\n');
        return finished(last, printer.name);
      }
      if (!options.quiet && view.job) showProgress(view, tty);
    }
  } finally {
    stopSignals();
  }
}

function showProgress(view: PrinterView, tty: boolean): void {
  const temps = view.temperatures
    .map((t) => `${t.id} ${t.current.toFixed(0)}${t.target ? `/${t.target}` : ''}`)
    .join(' ');
  const text = `progress ${view.job?.percent.toFixed(1)}% line=${view.job?.line} ${temps}`;
  process.stdout.write(tty ? `\r${text}` : `${text}\n`);
}

function finished(last: NonNullable<PrinterView['lastJob']>, name: string): number {
  if (last.outcome === 'completed') {
    process.stdout.write(`printed ${last.filename} on ${name}\n`);
    return 0;
  }
  if (last.outcome === 'cancelled') {
    throw new PrintosError('JOB_CANCELLED', `Cancelled ${last.filename}; heaters are off.`);
  }
  throw new PrintosError(
    'FIRMWARE_ERROR',
    `The print of ${last.filename} failed${last.message ? `: ${last.message}` : '.'}`,
  );
}

/** First Ctrl-C cancels through the service; a second one is an emergency stop. */
function interruptsVia(service: ServiceClient, id: string): () => void {
  let count = 0;
  const onSignal = () => {
    count++;
    const action = count === 1 ? 'cancel' : 'emergency-stop';
    process.stderr.write(
      count === 1
        ? '\ncancelling: waiting for the printer to stop (Ctrl-C again for an emergency stop)\n'
        : '\nemergency stop (M112)\n',
    );
    void service
      .request('POST', `/api/printers/${encodeURIComponent(id)}/${action}`)
      .catch((err: Error) => process.stderr.write(`printos: ${err.message}\n`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
