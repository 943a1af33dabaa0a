/**
 * Assembles serial bytes into lines with bounded memory. A printer that
 * babbles (wrong baud rate, a board resetting, electrical noise) produces
 * long runs without newlines, invalid UTF-8 and control bytes; each must
 * become a flagged line, never an unbounded buffer or an exception.
 */
import { isUtf8 } from 'node:buffer';
import { PrintosError } from '../core/errors.js';
import type { FirmwareMessage } from './messages.js';
import { parseResponse } from './responses.js';

export type LineProblem = 'encoding' | 'too-long' | 'control';

export interface RawLine {
  text: string;
  /** Set when the bytes were not a sane line; `text` is then a best-effort rendering. */
  problem?: LineProblem;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
/** Anything outside tab and printable ASCII sends a line off the fast path. */
const NOT_PLAIN_ASCII = /[^\t\x20-\x7e]/;
const NON_ASCII = /[\x80-\xff]/;
/** C0 controls except tab, plus DEL: none belongs in firmware text. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

function replaceControls(text: string): string {
  return text.replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '\uFFFD');
}

/**
 * Decodes one line's bytes. Firmware output is ASCII almost always, so
 * latin1 (one char per byte, no validation) plus a single regex test is the
 * common path; only lines that fail it pay for UTF-8 validation.
 */
export function decodeLine(bytes: Buffer, tooLong = false): RawLine {
  const latin1 = bytes.toString('latin1');
  if (!tooLong && !NOT_PLAIN_ASCII.test(latin1)) return { text: latin1 };
  let text = latin1;
  let problem: LineProblem | undefined = tooLong ? 'too-long' : undefined;
  if (NON_ASCII.test(latin1)) {
    // Truncation may have cut a multi-byte character; that is the too-long problem, not encoding.
    text = bytes.toString('utf8');
    if (problem === undefined && !isUtf8(bytes)) problem = 'encoding';
  }
  if (CONTROL.test(text)) {
    text = replaceControls(text);
    problem ??= 'control';
  }
  return problem === undefined ? { text } : { text, problem };
}

export class LineSplitter {
  readonly #maxLineBytes: number;
  /** Bytes of the line under assembly; one extra byte so a trailing `\r` fits. */
  readonly #pending: Buffer;
  #pendingLength = 0;
  /** True after an over-long line was reported, until its newline arrives. */
  #discarding = false;

  constructor(maxLineBytes = 1024) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
      throw new PrintosError(
        'INVALID_ARGUMENT',
        `The line limit must be a whole number of bytes ≥ 1, got ${maxLineBytes}.`,
      );
    }
    this.#maxLineBytes = maxLineBytes;
    this.#pending = Buffer.alloc(maxLineBytes + 1);
  }

  /** The complete lines in `chunk` (plus what earlier chunks left), empty lines skipped. */
  push(chunk: Buffer): RawLine[] {
    const lines: RawLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      if (newline === -1) {
        this.#append(chunk, start, chunk.length, lines);
        break;
      }
      this.#finishLine(chunk, start, newline, lines);
      start = newline + 1;
    }
    return lines;
  }

  /** The partial line held back, if any (the port closed mid-line); clears the state. */
  flush(): RawLine[] {
    const lines: RawLine[] = [];
    if (!this.#discarding && this.#pendingLength > 0) {
      this.#emit(this.#pending.subarray(0, this.#pendingLength), lines);
    }
    this.#pendingLength = 0;
    this.#discarding = false;
    return lines;
  }

  #finishLine(chunk: Buffer, start: number, end: number, lines: RawLine[]): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    if (this.#pendingLength === 0) {
      // Common case: the whole line is inside this chunk, no copy needed.
      this.#emit(chunk.subarray(start, end), lines);
      return;
    }
    this.#append(chunk, start, end, lines);
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    this.#emit(this.#pending.subarray(0, this.#pendingLength), lines);
    this.#pendingLength = 0;
  }

  /** Buffers bytes of an unfinished line; past the limit, reports it and drops the rest. */
  #append(chunk: Buffer, start: number, end: number, lines: RawLine[]): void {
    if (this.#discarding) return;
    const room = this.#pending.length - this.#pendingLength;
    const length = end - start;
    if (length <= room) {
      chunk.copy(this.#pending, this.#pendingLength, start, end);
      this.#pendingLength += length;
      return;
    }
    chunk.copy(this.#pending, this.#pendingLength, start, start + room);
    lines.push(decodeLine(this.#pending.subarray(0, this.#maxLineBytes), true));
    this.#pendingLength = 0;
    this.#discarding = true;
  }

  #emit(bytes: Buffer, lines: RawLine[]): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    if (end === 0) return;
    if (end > this.#maxLineBytes) {
      lines.push(decodeLine(bytes.subarray(0, this.#maxLineBytes), true));
      return;
    }
    lines.push(decodeLine(end === bytes.length ? bytes : bytes.subarray(0, end)));
  }
}

/** A decoded line as a firmware message; flagged lines become `garbled`. */
export function parseRawLine(raw: RawLine): FirmwareMessage {
  if (raw.problem !== undefined) return { kind: 'garbled', text: raw.text, reason: raw.problem };
  return parseResponse(raw.text);
}
