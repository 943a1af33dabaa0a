/**
 * The one port between printos and printer hardware. The serial implementation
 * (serial.ts) is the only file that imports serialport; tests and the virtual
 * printer use other implementations of the same interface.
 */
export interface Transport {
  /** A human-readable name of the endpoint, e.g. `/dev/ttyUSB0@250000`. */
  readonly description: string;
  /** Queues bytes for the wire. Never throws; write failures arrive as `onClose(error)`. */
  write(data: string | Buffer): void;
  /** Bytes from the printer, in arrival order. One listener. */
  onData(listener: (chunk: Buffer) => void): void;
  /**
   * The link ended. `error` is set when it ended on its own (unplugged, I/O error),
   * and undefined after `close()`. Called once.
   */
  onClose(listener: (error?: Error) => void): void;
  /** Discards bytes received but not yet delivered (stale output of a previous session). */
  flushInput(): Promise<void>;
  /** Closes the link; resolves once closed. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenOptions {
  path: string;
  baudRate: number;
  /** Pulse DTR to reset the board on open; failures (ptys) are logged, never fatal. */
  resetOnOpen?: boolean;
}

/** Opens transports; injected into the printer layer so it never names serialport. */
export type TransportOpener = (options: OpenOptions) => Promise<Transport>;
