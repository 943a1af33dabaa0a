import type { FaultKind } from './options.js';

/** One command the firmware executed, with its line number (null when unnumbered). */
export interface ExecutedCommand {
  line: number | null;
  command: string;
}

export interface VirtualPrinterStats {
  /** Bytes that reached the RX buffer's input (including the dropped ones). */
  bytesReceived: number;
  bytesSent: number;
  /** Complete, non-empty lines the reader assembled (valid or not). */
  linesReceived: number;
  commandsExecuted: number;
  /** Line-number / checksum errors. */
  errors: number;
  /** `Resend:` lines sent (errors and spurious-resend faults). */
  resendsRequested: number;
  /** Bytes that arrived while the RX buffer was full (silently lost). */
  rxBytesDropped: number;
  /** Bytes discarded by the flush that follows a line error. */
  rxBytesFlushed: number;
  /** Times the planner ran dry between two moves of a stream (host too slow). */
  plannerUnderruns: number;
  /** Total time the planner stood empty in those underruns. */
  plannerStarvedMs: number;
  resets: number;
  faultsInjected: Record<FaultKind, number>;
}

export type Counters = Omit<VirtualPrinterStats, 'plannerUnderruns' | 'plannerStarvedMs'>;

export function emptyCounters(): Counters {
  return {
    bytesReceived: 0,
    bytesSent: 0,
    linesReceived: 0,
    commandsExecuted: 0,
    errors: 0,
    resendsRequested: 0,
    rxBytesDropped: 0,
    rxBytesFlushed: 0,
    resets: 0,
    faultsInjected: { corrupt: 0, 'drop-ok': 0, 'spurious-resend': 0, reset: 0, disconnect: 0 },
  };
}

/**
 * What the firmware executed, in execution order, so a test can prove the
 * executed sequence equals the file; listeners get each entry as it happens
 * (the record file writer is one).
 */
export class Recorder {
  readonly counters: Counters = emptyCounters();
  readonly #executed: ExecutedCommand[] = [];
  readonly #listeners = new Set<(entry: ExecutedCommand) => void>();

  record(line: number | null, command: string): void {
    const entry = { line, command };
    this.#executed.push(entry);
    this.counters.commandsExecuted++;
    for (const listener of this.#listeners) listener(entry);
  }

  executed(): readonly ExecutedCommand[] {
    return this.#executed;
  }

  onRecord(listener: (entry: ExecutedCommand) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
