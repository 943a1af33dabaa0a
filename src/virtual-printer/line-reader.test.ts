import { describe, expect, it } from 'vitest';
import { checksum, frameLine } from '../gcode/framing.js';
import { EmergencyParser } from './emergency-parser.js';
import { checkLine, commandText, LineAssembler, MAX_CMD_SIZE } from './line-reader.js';

function assemble(text: string): string[] {
  const assembler = new LineAssembler();
  const lines: string[] = [];
  for (const byte of Buffer.from(text, 'latin1')) {
    const line = assembler.feed(byte);
    if (line) lines.push(Buffer.from(line).toString('latin1'));
  }
  return lines;
}

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));

describe('LineAssembler (Marlin process_stream_char)', () => {
  it.each([
    ['G1 X1 ; comment\n', ['G1 X1 ']],
    ['\r\n\n', []],
    ['M117 a\\;b\n', ['M117 a;b']],
    ['G1 X12\b3\n', ['G1 X13']],
    ['G1\0X5\n', ['G1']],
    ['M105\rM114\n', ['M105', 'M114']],
  ])('%j → %j', (input, expected) => {
    expect(assemble(input)).toEqual(expected);
  });

  it('keeps MAX_CMD_SIZE - 1 bytes of an over-long line and skips the rest', () => {
    const [line] = assemble(`${'X'.repeat(200)}\nM105\n`);
    expect(line).toHaveLength(MAX_CMD_SIZE - 1);
    expect(assemble(`${'X'.repeat(200)}\nM105\n`)[1]).toBe('M105');
  });
});

describe('checkLine (Marlin line number and checksum rules)', () => {
  it.each([
    [frameLine(5, 'G1 X1'), 4, { kind: 'accepted', line: 5, command: 'G1 X1' }],
    ['G1 X1', 4, { kind: 'accepted', line: null, command: 'G1 X1' }],
    ['G1 X1*99', 4, { kind: 'accepted', line: null, command: 'G1 X1' }],
    [frameLine(6, 'G1 X1'), 4, { kind: 'rejected', error: 'line-number' }],
    ['N5 G1 X1', 4, { kind: 'rejected', error: 'no-checksum' }],
    [`N5 G1 X1*${(checksum('N5 G1 X1') + 1) % 256}`, 4, { kind: 'rejected', error: 'checksum' }],
    [frameLine(9, 'M110 N41'), 4, { kind: 'accepted', line: 41, command: 'M110 N41' }],
    [`  ${frameLine(5, 'G1 X1')}`, 4, { kind: 'accepted', line: 5, command: 'G1 X1' }],
  ])('%s after line %i', (line, last, expected) => {
    expect(checkLine(bytes(line), last)).toEqual(expected);
  });

  it('treats last and last-1 as duplicates only when asked to', () => {
    expect(checkLine(bytes(frameLine(4, 'G1')), 4, true)).toEqual({ kind: 'duplicate' });
    expect(checkLine(bytes(frameLine(3, 'G1')), 4, true)).toEqual({ kind: 'duplicate' });
    expect(checkLine(bytes(frameLine(2, 'G1')), 4, true).kind).toBe('rejected');
  });

  it('strips line number and checksum as Marlin parser does', () => {
    expect(commandText(bytes('N12 G1 X1   *77'))).toBe('G1 X1');
    expect(commandText(bytes('NOPE'))).toBe('NOPE');
  });
});

describe('EmergencyParser', () => {
  const fire = (text: string) => {
    const parser = new EmergencyParser();
    return [...Buffer.from(text)].map((b) => parser.feed(b)).filter((c) => c !== null);
  };

  it.each([
    ['M112\n', ['M112']],
    ['N12 M112*33\n', ['M112']],
    ['M108\nM410\n', ['M108', 'M410']],
    ['M117 M112\n', []],
    ['G1 X1\nM112', []], // fires at the end of the line, not before
    ['M1\nM112\n', []], // Marlin's parser ignores the rest of a line it gave up on
  ])('%j → %j', (text, expected) => {
    expect(fire(text)).toEqual(expected);
  });
});
