import type { SentLine } from './flight.js';

/**
 * The last `capacity` numbered lines sent, by line number, for resends.
 * Bounded: a 1 GB job keeps only what a resend can still ask for.
 */
export class SendHistory {
  readonly #ring: (SentLine | undefined)[];

  constructor(readonly capacity: number) {
    this.#ring = new Array<SentLine | undefined>(capacity);
  }

  put(line: SentLine): void {
    if (line.line === null) return;
    this.#ring[line.line % this.capacity] = line;
  }

  get(lineNumber: number): SentLine | undefined {
    const entry = this.#ring[lineNumber % this.capacity];
    return entry?.line === lineNumber ? entry : undefined;
  }
}
