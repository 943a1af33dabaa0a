/**
 * The composition root: the only module that knows the concrete classes and
 * wires them together. Commands of the CLI call in here; nothing imports the CLI.
 */
import { type PrinterSettings, senderConfigFor } from './config/printer-settings.js';
import type { Logger } from './core/log.js';
import { PrinterDriver } from './printer/driver.js';
import { DEFAULT_HANDSHAKE, handshake } from './printer/handshake.js';
import { baudCandidates } from './printer/profiles.js';
import type { SenderConfig } from './printer/sender/types.js';
import { createSerialOpener } from './transport/serial.js';
import type { TransportOpener } from './transport/transport.js';

export interface ConnectOptions {
  path: string;
  /** A fixed baud rate; otherwise the standard list is probed. */
  baudRate?: number;
  settings: PrinterSettings;
  log: Logger;
  /** Tests swap the transport; production uses the serial port. */
  open?: TransportOpener;
  /** Sender constants tests shorten (timeouts); not user settings. */
  tuning?: Partial<SenderConfig>;
}

/** Opens a printer's port, finds its baud rate, and starts a driver on it. */
export async function connectPrinter(options: ConnectOptions): Promise<PrinterDriver> {
  const connection = await handshake(
    options.open ?? createSerialOpener({ log: options.log }),
    {
      ...DEFAULT_HANDSHAKE,
      path: options.path,
      baudRates: options.baudRate ? [options.baudRate] : baudCandidates(),
      resetOnOpen: options.settings.resetOnConnect,
    },
    options.log,
  );
  const driver = new PrinterDriver({
    transport: connection.transport,
    splitter: connection.splitter,
    firmware: connection.firmware,
    lastLine: connection.lastLine,
    config: { ...senderConfigFor(options.settings), ...options.tuning },
    log: options.log,
  });
  driver.start();
  return driver;
}
