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
  /** The highest line the firmware has acknowledged. */
  lastAcked: number;
  inHistory: (line: number) => boolean;
  /** Drops lines from `line` on out of flight; returns how many were sent after it. */
  dropFrom: (line: number) => number;
}

/** Requests for an already acknowledged line ignored before we comply. */
const SPURIOUS_TOLERANCE = 3;

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
  /** Requests in a row for lines the firmware had already acknowledged. */
  #spurious = 0;

  constructor(private readonly maxConsecutive: number) {}

  request(line: number, context: ResendContext): ResendDecision {
    this.#errorOks++;
    const previous = this.#current;
    if (previous && previous.line === line && previous.duplicates > 0) {
      previous.duplicates--;
      return { kind: 'ignore' };
    }
    if (line > context.lastLine) return { kind: 'ignore' };
    // A request for a line the firmware acknowledged is a firmware glitch: re-sending
    // lines it already holds would only draw more rejections. Comply only if it insists.
    if (line <= context.lastAcked && ++this.#spurious < SPURIOUS_TOLERANCE)
      return { kind: 'ignore' };
    this.#spurious = 0;
    const count = previous?.line === line ? previous.count + 1 : 1;
    if (count > this.maxConsecutive) return { kind: 'fail', error: resendLimit(line, count) };
    if (!context.inHistory(line)) return { kind: 'fail', error: resendOutOfHistory(line) };
    this.#current = { line, count, duplicates: context.dropFrom(line) };
    return { kind: 'rewind', line };
  }

  /** A line got through: requests before it are no longer "in a row". */
  acknowledged(line: number | null): void {
    this.#spurious = 0;
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
