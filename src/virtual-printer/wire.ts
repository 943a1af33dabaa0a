/**
 * The serial line in both directions: every byte takes `10 / baud` seconds
 * (8N1) and arrives `latencyMs` after it was sent. Times are simulated
 * milliseconds; nothing here arms timers, the engine asks for the next due time.
 */

/** Milliseconds one byte occupies the wire; 0 when baud is 0 (no wire time). */
export function byteTimeMs(baud: number): number {
  return baud > 0 ? 10_000 / baud : 0;
}

interface InboundChunk {
  bytes: Uint8Array;
  /** The wire is busy with this chunk from `start`; byte i lands at start + (i+1)·byteMs. */
  start: number;
  next: number;
}

/** Host → printer: bytes in flight, delivered one by one at their arrival times. */
export class InboundWire {
  readonly #byteMs: number;
  readonly #latencyMs: number;
  readonly #chunks: InboundChunk[] = [];
  #lastArrival = Number.NEGATIVE_INFINITY;

  constructor(byteMs: number, latencyMs: number) {
    this.#byteMs = byteMs;
    this.#latencyMs = latencyMs;
  }

  /** Bytes written by the host at `time`; they queue behind bytes still on the wire. */
  push(bytes: Uint8Array, time: number): void {
    if (bytes.length === 0) return;
    const start = Math.max(this.#lastArrival, time + this.#latencyMs);
    this.#chunks.push({ bytes, start, next: 0 });
    this.#lastArrival = start + bytes.length * this.#byteMs;
  }

  nextDue(): number {
    const head = this.#chunks[0];
    return head ? head.start + (head.next + 1) * this.#byteMs : Number.POSITIVE_INFINITY;
  }

  /** Removes and returns the next byte (call only when `nextDue()` is finite). */
  take(): number {
    const head = this.#chunks[0];
    if (!head) return -1;
    const byte = head.bytes[head.next] ?? 0;
    head.next++;
    if (head.next >= head.bytes.length) this.#chunks.shift();
    return byte;
  }

  /** Bytes still on the wire (for a link that went away). */
  clear(): void {
    this.#chunks.length = 0;
  }
}

/**
 * Marlin's serial RX ring. As in the AVR driver, the ring never fills its last
 * cell (head may not catch up with tail), so it holds `size - 1` bytes; a byte
 * that arrives when it is full is dropped without a trace.
 */
export class RxBuffer {
  readonly #ring: Uint8Array;
  #head = 0;
  #tail = 0;

  constructor(size: number) {
    this.#ring = new Uint8Array(size);
  }

  get length(): number {
    return (this.#head - this.#tail + this.#ring.length) % this.#ring.length;
  }

  /** Stores a byte; false when the ring was full and the byte is lost. */
  push(byte: number): boolean {
    const next = (this.#head + 1) % this.#ring.length;
    if (next === this.#tail) return false;
    this.#ring[this.#head] = byte;
    this.#head = next;
    return true;
  }

  /** The oldest byte, or -1 when empty. */
  shift(): number {
    if (this.#head === this.#tail) return -1;
    const byte = this.#ring[this.#tail] ?? 0;
    this.#tail = (this.#tail + 1) % this.#ring.length;
    return byte;
  }

  /** Discards everything (Marlin's flush on a line error); returns how many bytes went. */
  clear(): number {
    const dropped = this.length;
    this.#head = 0;
    this.#tail = 0;
    return dropped;
  }
}

interface OutboundLine {
  text: string;
  visibleAt: number;
}

/** Printer → host: lines serialised on the wire, visible once fully received plus latency. */
export class OutboundWire {
  readonly #byteMs: number;
  readonly #latencyMs: number;
  readonly #lines: OutboundLine[] = [];
  #head = 0;
  #txFreeAt = Number.NEGATIVE_INFINITY;

  constructor(byteMs: number, latencyMs: number) {
    this.#byteMs = byteMs;
    this.#latencyMs = latencyMs;
  }

  /** Queues one line (without its newline) sent at `time`. */
  push(line: string, time: number): void {
    const text = `${line}\n`;
    const start = Math.max(this.#txFreeAt, time);
    this.#txFreeAt = start + text.length * this.#byteMs;
    this.#lines.push({ text, visibleAt: this.#txFreeAt + this.#latencyMs });
  }

  nextDue(): number {
    return this.#lines[this.#head]?.visibleAt ?? Number.POSITIVE_INFINITY;
  }

  /** Everything visible to the host by `time`, as one string ('' if nothing). */
  takeDue(time: number): string {
    let text = '';
    for (let line = this.#lines[this.#head]; line && line.visibleAt <= time; ) {
      text += line.text;
      this.#head++;
      line = this.#lines[this.#head];
    }
    if (this.#head > 1024 || this.#head === this.#lines.length) {
      this.#lines.splice(0, this.#head);
      this.#head = 0;
    }
    return text;
  }
}
