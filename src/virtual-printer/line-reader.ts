/**
 * Marlin's serial line reader (queue.cpp: process_stream_char,
 * get_serial_commands): assembles lines byte by byte, strips `;` comments,
 * honours `\` escapes and backspace, truncates at MAX_CMD_SIZE, then validates
 * line number and checksum in Marlin's order. It deliberately does not reuse the
 * host's framing code: a simulator that shared the host's parser could not
 * catch the host's framing bugs.
 */
export const MAX_CMD_SIZE = 96;

const NL = 0x0a;
const CR = 0x0d;
const BACKSPACE = 0x08;
const BACKSLASH = 0x5c;
const SEMICOLON = 0x3b;
const STAR = 0x2a;
const N = 0x4e;

type InputState = 'normal' | 'skip' | 'escape';

/** Assembles lines as Marlin's reader does; `feed` returns each completed non-empty line. */
export class LineAssembler {
  readonly #buffer = new Uint8Array(MAX_CMD_SIZE);
  #count = 0;
  #state: InputState = 'normal';

  reset(): void {
    this.#count = 0;
    this.#state = 'normal';
  }

  feed(byte: number): Uint8Array | null {
    if (byte === NL || byte === CR) return this.#lineDone();
    this.#streamChar(byte);
    return null;
  }

  #lineDone(): Uint8Array | null {
    this.#state = 'normal';
    if (this.#count === 0) return null;
    // A NUL ends the C string Marlin works on, whatever follows it in the buffer.
    const nul = this.#buffer.subarray(0, this.#count).indexOf(0);
    const line = this.#buffer.slice(0, nul >= 0 ? nul : this.#count);
    this.#count = 0;
    return line.length > 0 ? line : null;
  }

  #streamChar(byte: number): void {
    if (this.#state === 'skip') return; // rest of a comment, or of an over-long line
    if (this.#state === 'escape') {
      this.#state = 'normal';
    } else if (byte === BACKSLASH) {
      this.#state = 'escape';
      return;
    } else if (byte === SEMICOLON) {
      this.#state = 'skip';
      return;
    }
    if (byte === BACKSPACE) {
      if (this.#count > 0) this.#count--;
      return;
    }
    this.#buffer[this.#count++] = byte;
    if (this.#count >= MAX_CMD_SIZE - 1) this.#state = 'skip';
  }
}

export type LineError = 'line-number' | 'checksum' | 'no-checksum';

/** Marlin's error texts (STR_ERR_LINE_NO, STR_ERR_CHECKSUM_MISMATCH, STR_ERR_NO_CHECKSUM). */
export const LINE_ERROR_TEXT: Record<LineError, string> = {
  'line-number': 'Line Number is not Last Line Number+1, Last Line: ',
  checksum: 'checksum mismatch, Last Line: ',
  'no-checksum': 'No Checksum with line number, Last Line: ',
};

export type CheckedLine =
  | { kind: 'accepted'; line: number | null; command: string }
  | { kind: 'rejected'; error: LineError }
  /** Newer Marlin (bugfix-2.1.x) drops a line numbered last or last-1 without a word. */
  | { kind: 'duplicate' };

/** Where a line's number sits: Marlin reads the N after M110 for M110 lines. */
export function lineNumberOf(line: Uint8Array): { n: number; isM110: boolean } | null {
  const start = skipSpaces(line, 0);
  if (line[start] !== N) return null;
  const text = latin1(line.subarray(start));
  const isM110 = text.includes('M110');
  const second = isM110 ? text.indexOf('N', 4) : -1;
  return { n: strtol(text, Math.max(second, 0) + 1), isM110 };
}

/** Validates a completed line against the last accepted line number, in Marlin's order. */
export function checkLine(line: Uint8Array, lastN: number, skipDuplicates = false): CheckedLine {
  const numbered = lineNumberOf(line);
  if (!numbered) return { kind: 'accepted', line: null, command: commandText(line) };
  if (numbered.n !== lastN + 1 && !numbered.isM110) {
    const duplicate = numbered.n === lastN || numbered.n === lastN - 1;
    return skipDuplicates && duplicate
      ? { kind: 'duplicate' }
      : { kind: 'rejected', error: 'line-number' };
  }
  const start = skipSpaces(line, 0);
  const star = line.lastIndexOf(STAR);
  if (star < start) return { kind: 'rejected', error: 'no-checksum' };
  let sum = 0;
  for (let i = start; i < star; i++) sum ^= line[i] ?? 0;
  if (strtol(latin1(line.subarray(star + 1)), 0) !== sum) {
    return { kind: 'rejected', error: 'checksum' };
  }
  return { kind: 'accepted', line: numbered.n, command: commandText(line) };
}

/** The command as Marlin's G-code parser sees it: no line number, no checksum. */
export function commandText(line: Uint8Array): string {
  let text = latin1(line).replace(/^ +/, '');
  text = text.replace(/^N[-\d]\d* */, '');
  const star = text.indexOf('*');
  if (star >= 0) text = text.slice(0, star);
  return text.replace(/ +$/, '');
}

function skipSpaces(line: Uint8Array, from: number): number {
  let i = from;
  while (line[i] === 0x20) i++;
  return i;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

/** C's strtol in base 10: leading whitespace, optional sign, digits; 0 when none. */
export function strtol(text: string, from: number): number {
  const match = /^\s*([+-]?\d+)/.exec(text.slice(from));
  return match?.[1] ? Number.parseInt(match[1], 10) : 0;
}
