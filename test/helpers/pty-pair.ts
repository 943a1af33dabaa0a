import { openPty } from '../../src/virtual-printer/pty.js';

/**
 * A pseudo-terminal whose slave end (`path`) stands in for a printer's serial port,
 * with the test playing the printer on the other end. It is the virtual printer's own
 * pty (src/virtual-printer/pty.ts) seen from the test's side.
 */
export interface PtyPair {
  /** The slave device, e.g. `/dev/pts/7`. */
  readonly path: string;
  /** Sends bytes to whoever opened `path` (the printer talking). */
  write(data: Buffer | string): void;
  /** Bytes the client wrote to `path`. */
  onData(listener: (chunk: Buffer) => void): void;
  /** Ends the pty at the end of a test. */
  close(): Promise<void>;
  /** Drops the pty mid-test, as if the printer was unplugged. */
  kill(): Promise<void>;
}

export async function openPtyPair(): Promise<PtyPair> {
  const link = await openPty();
  return {
    path: link.path,
    write: (data) => link.send(typeof data === 'string' ? data : data.toString('latin1')),
    onData: (listener) => link.onReceive((chunk) => listener(Buffer.from(chunk))),
    close: () => link.close('test finished'),
    kill: () => link.close('unplugged'),
  };
}
