import type { PrintosError } from '../../core/errors.js';
import type { JobOutcome } from '../states.js';
import type { JobLine, JobResult } from './types.js';

export interface JobProgress {
  name: string;
  linesAcked: number;
  bytesAcked: number;
  totalBytes: number;
  /** 0–100, from bytes acknowledged. */
  percent: number;
  lastAckedFileLine: number;
}

/**
 * A job's read-ahead buffer and its acknowledged progress. The buffer holds a
 * bounded number of lines; more are requested from the file as it drains, so
 * memory does not grow with the file.
 */
export class JobTracker {
  #pending: JobLine[] = [];
  #head = 0;
  #sourceDone = false;
  #requested = false;
  #linesAcked = 0;
  #bytesAcked = 0;
  #lastAckedFileLine = 0;

  constructor(
    readonly name: string,
    readonly totalBytes: number,
  ) {}

  get lastAckedFileLine(): number {
    return this.#lastAckedFileLine;
  }

  addLines(lines: JobLine[], done: boolean): void {
    this.#requested = false;
    if (this.#sourceDone) return;
    if (this.#head > 0) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    for (const line of lines) this.#pending.push(line);
    this.#sourceDone = done;
  }

  /** How many lines to ask the file for, or 0 when enough are buffered or one request is out. */
  readAheadRequest(target: number): number {
    const buffered = this.#pending.length - this.#head;
    if (this.#sourceDone || this.#requested || buffered > target / 2) return 0;
    this.#requested = true;
    return target - buffered;
  }

  peek(): JobLine | undefined {
    return this.#pending[this.#head];
  }

  take(): void {
    this.#head++;
  }

  /** Stops the job's feed: nothing buffered is sent and the file is read no further. */
  dropPending(): void {
    this.#pending = [];
    this.#head = 0;
    this.#sourceDone = true;
  }

  isDrained(): boolean {
    return this.#sourceDone && this.#head >= this.#pending.length;
  }

  acknowledge(fileLine: number, endOffset: number): void {
    this.#linesAcked++;
    this.#bytesAcked = endOffset;
    this.#lastAckedFileLine = fileLine;
  }

  progress(): JobProgress {
    const percent = this.totalBytes > 0 ? (100 * this.#bytesAcked) / this.totalBytes : 0;
    return {
      name: this.name,
      linesAcked: this.#linesAcked,
      bytesAcked: this.#bytesAcked,
      totalBytes: this.totalBytes,
      percent: Math.min(100, percent),
      lastAckedFileLine: this.#lastAckedFileLine,
    };
  }

  result(outcome: JobOutcome, error?: PrintosError): JobResult {
    return {
      outcome,
      name: this.name,
      error,
      lastAckedFileLine: this.#lastAckedFileLine,
      linesAcked: this.#linesAcked,
      bytesAcked: this.#bytesAcked,
    };
  }
}
