/**
 * Line framing of the RepRap serial protocol: `N<line> <command>*<checksum>`.
 * The host side frames; the virtual printer parses and validates, following
 * Marlin's rules so tests exercise the same error paths as real hardware.
 */
import { PrintosError } from '../core/errors.js';

const CODE_0 = 48;
const CODE_9 = 57;
/** Longer line numbers do not fit the firmware's `long` and are rejected as malformed. */
const MAX_NUMBER_DIGITS = 10;

/** XOR of the bytes of `text` as sent on the wire (UTF-8), which is what the firmware sums. */
export function checksum(text: string): number {
  let sum = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return checksumUtf8(text);
    sum ^= code;
  }
  return sum;
}

function checksumUtf8(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  let sum = 0;
  for (const byte of bytes) sum ^= byte;
  return sum;
}

/** `N<lineNumber> <command>*<checksum>`, without the newline. */
export function frameLine(lineNumber: number, command: string): string {
  if (!Number.isSafeInteger(lineNumber) || lineNumber < 0) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `Line number ${lineNumber} is not a whole number ≥ 0.`,
    );
  }
  if (command.indexOf('\n') !== -1 || command.indexOf('\r') !== -1) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      'A G-code command cannot contain a line break; strip the line before framing it.',
      { command },
    );
  }
  const body = `N${lineNumber} ${command}`;
  return `${body}*${checksum(body)}`;
}

/**
 * `N<lastLine> M110 N<lastLine>*cs`. Marlin ignores the sequence check for
 * M110 and makes its parameter the last received line, so afterwards the
 * firmware expects line `lastLine + 1`. The frame carries the same number
 * because firmwares that read only the frame's N (or take it when M110 has
 * no parameter) must land on the same count.
 */
export function resetLineNumbers(lastLine: number): string {
  return frameLine(lastLine, `M110 N${lastLine}`);
}

export type FramingError =
  /** `N…` without `*cs` (Marlin: "No Checksum with line number"). */
  | 'missing-checksum'
  /** The checksum does not match the bytes (Marlin: "checksum mismatch"). */
  | 'mismatch'
  /** `*cs` without `N…` (Marlin: "No Line Number with checksum"). */
  | 'missing-line-number'
  /** `N` not followed by digits, or a line number that is too long. */
  | 'bad-line-number'
  /** `*` not followed by digits only. */
  | 'bad-checksum';

export type FramedLine =
  | { line: number; command: string }
  /** `reason` says which firmware error message applies. */
  | { error: 'checksum' | 'format'; reason: FramingError }
  /** A line without `N` and `*`, which Marlin executes without sequence checks. */
  | { unnumbered: string };

/** Digits at text[from, to) as a number, or -1 when empty, not all digits or too long. */
function parseDigits(text: string, from: number, to: number): number {
  if (to <= from || to - from > MAX_NUMBER_DIGITS) return -1;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < CODE_0 || code > CODE_9) return -1;
  }
  return Number(text.slice(from, to));
}

function digitsEnd(text: string, from: number): number {
  let end = from;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    if (code < CODE_0 || code > CODE_9) break;
    end++;
  }
  return end;
}

/**
 * Reads a line as a firmware would (Marlin rules): a line with `N` must
 * carry a matching `*cs`, a line with `*cs` must carry `N`. Leading and
 * trailing whitespace is ignored; the checksum covers the bytes from `N` up
 * to the last `*`.
 */
export function parseFramedLine(text: string): FramedLine {
  const trimmed = text.trim();
  const star = trimmed.lastIndexOf('*');
  if (!trimmed.startsWith('N')) {
    if (star !== -1) return { error: 'format', reason: 'missing-line-number' };
    return { unnumbered: trimmed };
  }
  const numberEnd = digitsEnd(trimmed, 1);
  const line = parseDigits(trimmed, 1, numberEnd);
  if (line < 0) return { error: 'format', reason: 'bad-line-number' };
  if (star === -1) return { error: 'checksum', reason: 'missing-checksum' };
  const expected = parseDigits(trimmed, star + 1, trimmed.length);
  if (expected < 0) return { error: 'format', reason: 'bad-checksum' };
  if (checksum(trimmed.slice(0, star)) !== expected) {
    return { error: 'checksum', reason: 'mismatch' };
  }
  return { line, command: trimmed.slice(numberEnd, star).trim() };
}
