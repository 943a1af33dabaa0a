/**
 * The `error` list of command requests (protocol doc §1.7.1, §1.15): each error is sent
 * once, kept until a request carrying it is answered, and remembered for a while after
 * delivery so the same code is not reported again and again while it is still true.
 */
import type { ErrorLevel, ReportError } from '../streamer-api/index.js';

/**
 * Codes of §1.15 that streamer-api's CLIENT_ERROR lacks; the original's printer drivers
 * use them for the same situations (604 printer busy or not ready, 610 print failed).
 */
export const LINK_ERROR = {
  PRINTER_BUSY: 604,
  PRINT_FAILED: 610,
} as const;

interface Entry {
  readonly error: ReportError;
  /** When a request carrying it was answered; null while it waits for delivery. */
  deliveredAt: number | null;
}

/** The request schema's cap on the list. */
const MAX_ENTRIES = 100;
const MAX_MESSAGE = 2048;

export class ErrorList {
  readonly #ttlMs: number;
  #entries: Entry[] = [];

  /** `ttlMs`: how long a delivered error blocks its code (the original: 60 s). */
  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  /** Queues an error; false when an error with the same code is still active. */
  add(code: number, message: string, level: ErrorLevel): boolean {
    if (this.#entries.some((entry) => entry.error.code === code)) return false;
    if (this.#entries.length >= MAX_ENTRIES) return false;
    this.#entries.push({
      error: { code, message: message.slice(0, MAX_MESSAGE), level },
      deliveredAt: null,
    });
    return true;
  }

  /** The errors still to send, oldest first. */
  pending(): ReportError[] {
    return this.#entries.filter((entry) => entry.deliveredAt === null).map((entry) => entry.error);
  }

  /** Marks the errors a request carried as delivered (its answer arrived). */
  delivered(sent: readonly ReportError[], now: number): void {
    for (const entry of this.#entries) {
      if (entry.deliveredAt === null && sent.includes(entry.error)) entry.deliveredAt = now;
    }
  }

  /** Forgets errors delivered at least `ttlMs` ago, so their codes can be reported again. */
  expire(now: number): void {
    this.#entries = this.#entries.filter(
      (entry) => entry.deliveredAt === null || now - entry.deliveredAt < this.#ttlMs,
    );
  }

  /** Everything still remembered (for status and tests). */
  active(): ReportError[] {
    return this.#entries.map((entry) => entry.error);
  }
}
