/**
 * What one printer owes the cloud (protocol doc §1.7): the ack of the last command,
 * job-end events, console lines, the error list, and the memory of delivered report
 * fields for delta compression. `compose` builds a request without changing anything;
 * only `delivered()`, called when the cloud answered it, takes what it carried off —
 * so a request lost to an outage is simply composed again, in the same order.
 */
import { JOB_ACTIVE_STATES } from '../printer/states.js';
import type { CommandAck, CommandRequest, ErrorLevel, Report } from '../streamer-api/index.js';
import { ErrorList } from './error-list.js';
import {
  buildReport,
  compressReport,
  type DeliveredFields,
  type DownloadProgress,
  deliveredFields,
  mergeEvent,
  NOTHING_DELIVERED,
} from './report.js';
import type { PrinterSnapshot } from './types.js';

export interface OutgoingRequest {
  body: CommandRequest;
  /** The cloud answered this request: forget what it carried. */
  delivered(now: number): void;
}

/** Caps on what waits while the cloud is down. */
const MAX_EVENTS = 100;
const MAX_CONSOLE_LINES = 1000;

export class Outbox {
  readonly #errors: ErrorList;
  #delivered: DeliveredFields = NOTHING_DELIVERED;
  #ack: CommandAck | null = null;
  #events: Partial<Report>[] = [];
  #console: string[] = [];
  #resetJob = false;

  /** `errorTtlMs`: how long a delivered error blocks its code (§1.8: 60 s). */
  constructor(errorTtlMs: number) {
    this.#errors = new ErrorList(errorTtlMs);
  }

  /** A new printer session (after printer_login): full report, and `reset_job` once. */
  newSession(): void {
    this.#delivered = NOTHING_DELIVERED;
    this.#resetJob = true;
  }

  /** The ack of the command just run; it replaces an older one already delivered. */
  setAck(ack: CommandAck): void {
    this.#ack = ack;
  }

  addEvents(events: readonly Partial<Report>[]): void {
    for (const event of events) if (this.#events.length < MAX_EVENTS) this.#events.push(event);
  }

  addConsole(lines: readonly string[]): void {
    this.#console.push(...lines);
    const excess = this.#console.length - MAX_CONSOLE_LINES;
    if (excess > 0) this.#console.splice(0, excess);
  }

  /** Queues an error; false when its code is already active (de-duplication). */
  report(code: number, message: string, level: ErrorLevel): boolean {
    return this.#errors.add(code, message, level);
  }

  /** Errors remembered now, delivered or not (status and tests). */
  activeErrors() {
    return this.#errors.active();
  }

  compose(
    printerToken: string,
    snapshot: PrinterSnapshot,
    download: DownloadProgress | null,
    now: number,
  ): OutgoingRequest {
    this.#errors.expire(now);
    const full = buildReport({ snapshot, download, console: this.#console });
    const event = this.#events[0];
    const errors = this.#errors.pending();
    const ack = this.#ack;
    const consoleSent = full.response?.length ?? 0;
    // A job that survives the reconnect is still the cloud's job: do not tell it to drop it.
    const resetJob = this.#resetJob && !JOB_ACTIVE_STATES.has(snapshot.state) && !download;
    const body: CommandRequest = {
      printer_token: printerToken,
      report: mergeEvent(compressReport(full, this.#delivered), event),
      ...(ack ? { command_ack: ack } : {}),
      ...(errors.length > 0 ? { error: errors } : {}),
      ...(resetJob ? { reset_job: true } : {}),
    };
    const delivered = (at: number) => {
      this.#delivered = deliveredFields(full);
      if (this.#ack === ack) this.#ack = null;
      this.#errors.delivered(errors, at);
      if (event && this.#events[0] === event) this.#events.shift();
      this.#console.splice(0, consoleSent);
      this.#resetJob = false;
    };
    return { body, delivered };
  }
}
