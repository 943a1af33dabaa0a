/**
 * The printer's end of a link to a host (a pty, or an in-process memory
 * link). The simulator computes wire timing itself, so a link only moves bytes.
 */
export interface PrinterLink {
  /** Bytes to the host, already due (the simulator delays them before calling). */
  send(text: string): void;
  /** Bytes from the host as they are written. One listener. */
  onReceive(listener: (chunk: Uint8Array) => void): void;
  /** The link ended from the far side (host closed it, relay died). Called once. */
  onClosed(listener: (error?: Error) => void): void;
  /** Drops the link as an unplugged printer would: the host sees the port vanish. */
  close(reason: string): Promise<void>;
}
