import { PrintosError } from '../core/errors.js';
import type { Transport } from '../transport/transport.js';
import type { PrinterLink } from './link.js';

export interface MemoryLink {
  /** What the host's sender talks to, as it would to a serial port. */
  host: Transport;
  /** What the virtual printer is attached to. */
  printerSide: PrinterLink;
}

interface Ends {
  closed: boolean;
  hostData: ((chunk: Buffer) => void) | null;
  hostClose: ((error?: Error) => void) | null;
  printerReceive: ((chunk: Uint8Array) => void) | null;
  printerClosed: ((error?: Error) => void) | null;
  /** Output sent before the host listened (kept, as a serial driver's buffer would). */
  pending: Buffer[];
}

/**
 * An in-process link: bytes cross synchronously (the simulator already
 * applied wire time and latency), so the host's sender can be tested against
 * the simulator on virtual time without a pty. A disconnect fault closes it
 * with a PORT_LOST error on the host side.
 */
export function createMemoryLink(description = 'virtual-printer:memory'): MemoryLink {
  const ends: Ends = {
    closed: false,
    hostData: null,
    hostClose: null,
    printerReceive: null,
    printerClosed: null,
    pending: [],
  };
  return { host: hostEnd(ends, description), printerSide: printerEnd(ends) };
}

function finish(ends: Ends, error?: Error): boolean {
  if (ends.closed) return false;
  ends.closed = true;
  ends.hostClose?.(error);
  return true;
}

function hostEnd(ends: Ends, description: string): Transport {
  return {
    description,
    write(data) {
      if (ends.closed) return;
      ends.printerReceive?.(typeof data === 'string' ? Buffer.from(data) : data);
    },
    onData(listener) {
      ends.hostData = listener;
      for (const chunk of ends.pending.splice(0)) listener(chunk);
    },
    onClose(listener) {
      ends.hostClose = listener;
    },
    async flushInput() {
      ends.pending.length = 0;
    },
    async close() {
      if (finish(ends)) ends.printerClosed?.();
    },
  };
}

function printerEnd(ends: Ends): PrinterLink {
  return {
    send(text) {
      if (ends.closed) return;
      const chunk = Buffer.from(text, 'latin1');
      if (ends.hostData) ends.hostData(chunk);
      else ends.pending.push(chunk);
    },
    onReceive(listener) {
      ends.printerReceive = listener;
    },
    onClosed(listener) {
      ends.printerClosed = listener;
    },
    async close(reason) {
      finish(ends, new PrintosError('PORT_LOST', `The virtual printer went away (${reason})`));
    },
  };
}
