/** What the local API shows of the service: plain JSON, no secrets. */
import type { LastJob } from './managed-printer.js';
import type { ClientService, ServicePrinter } from './service.js';

export interface PrinterView {
  id: string;
  name: string;
  identity: { VID: string; PID: string; SNR: string };
  /** The serial port (absent for printers known only from the list file). */
  port?: string;
  state: string;
  lastError?: string;
  temperatures: Array<{ id: string; current: number; target?: number }>;
  job: { filename: string; percent: number; line: number; cloudJobId?: string | number } | null;
  cloud: { linked: boolean; lastError?: string; lastContact?: number } | null;
  jobSeq: number;
  lastJob: LastJob | null;
}

export function printerView(service: ClientService, printer: ServicePrinter): PrinterView {
  const snapshot = printer.snapshot();
  const link = service.linkState(printer.key);
  const view: PrinterView = {
    id: printer.key,
    name: printer.name,
    identity: { VID: printer.identity.VID, PID: printer.identity.PID, SNR: printer.identity.SNR },
    ...(typeof printer.identity.COM === 'string' ? { port: printer.identity.COM } : {}),
    state: snapshot.state,
    temperatures: snapshot.temperatures.map((t) => ({ ...t })),
    job: snapshot.job,
    cloud: link
      ? {
          linked: link.linked,
          ...(link.lastError ? { lastError: link.lastError } : {}),
          ...(link.lastContact ? { lastContact: link.lastContact } : {}),
        }
      : null,
    jobSeq: printer.jobSeq,
    lastJob: printer.lastJob,
  };
  if (printer.lastError) view.lastError = printer.lastError;
  return view;
}

export function statusView(service: ClientService, cloudUrl: string) {
  const account = service.account;
  return {
    account: account ? { email: account.email, login: account.login } : null,
    offline: service.offline,
    autologin: service.autologinState,
    cloud: { url: cloudUrl },
    printers: service.printers().map((p) => printerView(service, p)),
  };
}
