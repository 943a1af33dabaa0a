import type { PrintosError } from '../../core/errors.js';
import { resendLimit, resendOutOfHistory } from './failures.js';

export type ResendDecision =
  /** A stale duplicate, or a request for a line not sent yet: nothing to do. */
  | { kind: 'ignore' }
  /** Take lines from `line` on out of flight and send them again. */
  | { kind: 'rewind'; line: number }
  | { kind: 'fail'; error: PrintosError };

export interface ResendContext {
  lastLine: number;
  inHistory: (line: number) => boolean;
  /** Drops lines from `line` on out of flight; returns how many were sent after it. */
  dropFrom: (line: number) => number;
}

/**
 * Decides what a `Resend: n` means. When the firmware rejects line n it flushes
 * its RX buffer; lines already on the wire then arrive out of sequence and each
 * draws another request for n. Those duplicates are expected, one per line sent
 * after n, and must not rewind again. Marlin follows every request with a bare
 * `ok` that acknowledges nothing.
 */
export class ResendPolicy {
  #current: { line: number; count: number; duplicates: number } | null = null;
  #errorOks = 0;

  constructor(private readonly maxConsecutive: number) {}

  request(line: number, context: ResendContext): ResendDecision {
    this.#errorOks++;
    const previous = this.#current;
    if (previous && previous.line === line && previous.duplicates > 0) {
      previous.duplicates--;
      return { kind: 'ignore' };
    }
    if (line > context.lastLine) return { kind: 'ignore' };
    const count = previous?.line === line ? previous.count + 1 : 1;
    if (count > this.maxConsecutive) return { kind: 'fail', error: resendLimit(line, count) };
    if (!context.inHistory(line)) return { kind: 'fail', error: resendOutOfHistory(line) };
    this.#current = { line, count, duplicates: context.dropFrom(line) };
    return { kind: 'rewind', line };
  }

  /** The requested line got through: the next request starts a new count. */
  acknowledged(line: number | null): void {
    if (this.#current && line !== null && line >= this.#current.line) this.#current = null;
  }

  /**
   * Whether an `ok` is the bare one that follows an error. With ADVANCED_OK every
   * real acknowledgement carries `P…B…`, so a bare `ok` is always one; otherwise
   * we count the requests seen.
   */
  isErrorOk(advancedOk: boolean, bufferFree: number | undefined): boolean {
    const errorOk = advancedOk ? bufferFree === undefined : this.#errorOks > 0;
    if (errorOk) this.#errorOks = Math.max(0, this.#errorOks - 1);
    return errorOk;
  }
}
