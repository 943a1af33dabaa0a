/** A line on its way to the firmware, or waiting there for its `ok`. */
export interface SentLine {
  /** Line number (N…); null for unnumbered urgent commands. */
  line: number | null;
  /** Framed text including the newline. */
  text: string;
  bytes: number;
  source: 'job' | 'host' | 'urgent';
  /** Command code (`G1`, `M109`, …). */
  code: string;
  /** Long-running command (G28, M109, …): extends the ok timeout. */
  long: boolean;
  /** An M105: its `ok T:…` answer tells every earlier line was processed. */
  temperatureQuery: boolean;
  fileLine: number;
  endOffset: number;
}

/**
 * Lines sent but not yet acknowledged, oldest first, and the flow-control rule
 * that decides whether one more fits.
 *
 * The firmware holds unacknowledged lines in two places: its command queue
 * (BUFSIZE slots, one of them the command executing now) and its serial RX
 * buffer. It moves a line from RX to the queue as soon as a slot frees, and
 * acknowledges a line once it leaves the queue. So the oldest `slots` lines in
 * flight may sit in queue slots; every later line must still fit in RX.
 */
export class FlightWindow {
  readonly #lines: SentLine[] = [];

  get size(): number {
    return this.#lines.length;
  }

  get oldest(): SentLine | undefined {
    return this.#lines[0];
  }

  entries(): readonly SentLine[] {
    return this.#lines;
  }

  fits(bytes: number, slots: number, rxBudget: number, pingPong: boolean): boolean {
    if (pingPong) return this.#lines.length === 0;
    if (bytes > rxBudget && this.#lines.length > 0) return false;
    let inRx = bytes;
    for (let i = slots; i < this.#lines.length; i++) {
      inRx += (this.#lines[i] as SentLine).bytes;
      if (inRx > rxBudget) return false;
    }
    return true;
  }

  push(line: SentLine): void {
    this.#lines.push(line);
  }

  popOldest(): SentLine | undefined {
    return this.#lines.shift();
  }

  /** Pops every line up to and including the first one matching; none if no match. */
  popThrough(match: (line: SentLine) => boolean): SentLine[] {
    const index = this.#lines.findIndex(match);
    return index < 0 ? [] : this.#lines.splice(0, index + 1);
  }

  /**
   * Drops everything sent at or after line `from` (the firmware discarded it and
   * asked for a resend). Returns how many other lines were in flight: any of them
   * the firmware had not parsed yet will be rejected as out of sequence and draw
   * a duplicate request — lines after `from`, and also older lines re-sent after
   * a spurious request, which the firmware already has.
   */
  dropFrom(from: number): number {
    const others = this.#lines.filter((l) => l.line !== from).length;
    const index = this.#lines.findIndex((l) => l.line !== null && l.line >= from);
    if (index >= 0) this.#lines.splice(index);
    return others;
  }

  hasLongCommand(): boolean {
    return this.#lines.some((l) => l.long);
  }

  clear(): SentLine[] {
    return this.#lines.splice(0);
  }
}
