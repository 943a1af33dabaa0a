import { FlightWindow, type SentLine } from './flight.js';
import { SendHistory } from './history.js';
import { numberedLine, urgentLine } from './lines.js';
import type { JobLine, SenderConfig } from './types.js';

/** No firmware that parses G-code has a smaller receive buffer than one short line. */
const MIN_RX_BUDGET = 32;

export type SendOutcome = 'sent' | 'full' | 'too-long';

/**
 * The mechanics of putting lines on the wire: numbering, the flow-control
 * window, the resend history and cursor, and the bytes waiting to be written.
 * The Sender decides what to send; this decides whether it fits and frames it.
 */
export class Transmitter {
  readonly window = new FlightWindow();
  readonly #history: SendHistory;
  readonly #rxBudget: number;
  readonly #maxLineBytes: number;
  readonly #pingPong: boolean;
  readonly #maxSlots: number;
  #slots: number;
  #lastLine: number;
  #lastAcked: number;
  #resendCursor: number | null = null;
  #resendEnd = 0;
  #pending = '';

  constructor(config: SenderConfig, lastLine: number) {
    this.#history = new SendHistory(config.historySize);
    this.#rxBudget = Math.max(
      MIN_RX_BUDGET,
      Math.floor(config.rxBufferBytes * config.rxUsableFraction),
    );
    this.#maxLineBytes = config.maxLineBytes;
    this.#pingPong = config.flow === 'ping-pong';
    this.#maxSlots = config.maxCommandSlots;
    this.#slots = Math.max(1, config.commandSlots);
    this.#lastLine = lastLine;
    this.#lastAcked = lastLine;
  }

  get slots(): number {
    return this.#slots;
  }

  get lastLine(): number {
    return this.#lastLine;
  }

  get lastAcked(): number {
    return this.#lastAcked;
  }

  get resending(): boolean {
    return this.#resendCursor !== null;
  }

  /** ADVANCED_OK's `B` is counted while the current command still holds its slot. */
  learnSlots(bufferFree: number): void {
    const learned = Math.min(this.#maxSlots, bufferFree + 1);
    if (learned > this.#slots) this.#slots = learned;
  }

  /** Frames `command` as the next numbered line and sends it if it fits. */
  send(
    command: string,
    source: 'job' | 'host',
    from?: JobLine,
  ): { outcome: SendOutcome; line: SentLine } {
    const line = numberedLine(this.#lastLine + 1, command, source, from);
    if (line.bytes > this.#maxLineBytes) return { outcome: 'too-long', line };
    if (!this.#fits(line.bytes)) return { outcome: 'full', line };
    this.#put(line);
    return { outcome: 'sent', line };
  }

  /** Sends past the window: after silence the firmware holds less than we think. */
  force(command: string): void {
    this.#put(numberedLine(this.#lastLine + 1, command, 'host'));
  }

  /** Emergency commands bypass the window: Marlin's emergency parser reads them on arrival. */
  urgent(command: string): void {
    const line = urgentLine(command);
    this.#pending += line.text;
    // After M112 the firmware is dead; anything else still draws an ok when its queue reaches it.
    if (command !== 'M112') this.window.push(line);
  }

  inHistory(lineNumber: number): boolean {
    return this.#history.get(lineNumber) !== undefined;
  }

  /** Starts re-sending from `lineNumber` up to the last line sent. */
  rewind(lineNumber: number): void {
    this.#resendCursor = lineNumber;
    this.#resendEnd = this.#lastLine;
  }

  /** Re-sends requested lines in order; false while some still wait for room. */
  pumpResends(): boolean {
    while (this.#resendCursor !== null) {
      const line = this.#history.get(this.#resendCursor);
      if (!line || !this.#fits(line.bytes)) return false;
      this.window.push(line);
      this.#pending += line.text;
      this.#resendCursor = this.#resendCursor < this.#resendEnd ? this.#resendCursor + 1 : null;
    }
    return true;
  }

  acknowledged(line: SentLine): void {
    if (line.line !== null && line.line > this.#lastAcked) this.#lastAcked = line.line;
  }

  /** Everything queued for the wire since the last call. */
  takeWrites(): string {
    const data = this.#pending;
    this.#pending = '';
    return data;
  }

  /** The link is gone: nothing in flight, nothing to resend. */
  reset(): void {
    this.window.clear();
    this.#resendCursor = null;
  }

  #fits(bytes: number): boolean {
    return this.window.fits(bytes, this.#slots, this.#rxBudget, this.#pingPong);
  }

  #put(line: SentLine): void {
    this.#lastLine = line.line ?? this.#lastLine;
    this.#history.put(line);
    this.window.push(line);
    this.#pending += line.text;
  }
}
