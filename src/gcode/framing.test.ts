import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { checksum, frameLine, parseFramedLine, resetLineNumbers } from './framing.js';

describe('checksum', () => {
  it.each<[string, number]>([
    ['', 0],
    ['N', 78],
    // N(78) ^ 1(49) ^ ' '(32) ^ G(71) ^ 2(50) ^ 8(56) = 18
    ['N1 G28', 18],
    // OctoPrint's hello, as seen in its terminal: "N0 M110 N0*125"
    ['N0 M110 N0', 125],
    // N(78) ^ 2(50) = 124; ^ ' '(32) = 92; ^ M(77) = 17; ^ 1(49) = 32; ^ 0(48) = 16; ^ 5(53) = 37
    ['N2 M105', 37],
    // Pairs cancel out.
    ['GG', 0],
    // 'ü' is C3 BC in UTF-8: 0xC3 ^ 0xBC = 0x7F
    ['ü', 0x7f],
    ['Aü', 65 ^ 0x7f],
  ])('checksum(%j) = %i', (text, expected) => {
    expect(checksum(text)).toBe(expected);
  });
});

describe('frameLine', () => {
  it.each<[number, string, string]>([
    [1, 'G28', 'N1 G28*18'],
    [0, 'M110 N0', 'N0 M110 N0*125'],
    [2, 'M105', 'N2 M105*37'],
    [3, 'T0', `N3 T0*${checksum('N3 T0')}`],
  ])('frameLine(%i, %j) = %j', (line, command, expected) => {
    expect(frameLine(line, command)).toBe(expected);
  });

  it.each([-1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 1])('rejects line number %d', (line) => {
    expect(() => frameLine(line, 'G28')).toThrow(PrintosError);
  });

  it.each(['G1\nG28', 'G1\r'])('rejects a command with a line break: %j', (command) => {
    expect(() => frameLine(1, command)).toThrow(PrintosError);
  });
});

describe('resetLineNumbers', () => {
  it.each<[number, string]>([
    [0, 'N0 M110 N0*125'],
    [41, `N41 M110 N41*${checksum('N41 M110 N41')}`],
  ])('resetLineNumbers(%i) = %j', (lastLine, expected) => {
    expect(resetLineNumbers(lastLine)).toBe(expected);
  });
});

describe('parseFramedLine', () => {
  it.each<[string, ReturnType<typeof parseFramedLine>]>([
    ['N1 G28*18', { line: 1, command: 'G28' }],
    ['  N1 G28*18 \r', { line: 1, command: 'G28' }],
    ['N0 M110 N0*125', { line: 0, command: 'M110 N0' }],
    ['N2 M105*37', { line: 2, command: 'M105' }],
    ['N1 G28*19', { error: 'checksum', reason: 'mismatch' }],
    ['N1 G28', { error: 'checksum', reason: 'missing-checksum' }],
    ['G28*18', { error: 'format', reason: 'missing-line-number' }],
    ['N G28*18', { error: 'format', reason: 'bad-line-number' }],
    ['N12345678901 G28*1', { error: 'format', reason: 'bad-line-number' }],
    ['N1 G28*', { error: 'format', reason: 'bad-checksum' }],
    ['N1 G28*1x', { error: 'format', reason: 'bad-checksum' }],
    ['G28', { unnumbered: 'G28' }],
    ['  M105 \r', { unnumbered: 'M105' }],
    ['', { unnumbered: '' }],
  ])('%j', (text, expected) => {
    expect(parseFramedLine(text)).toEqual(expected);
  });

  it('uses the last * as the checksum separator, as Marlin does', () => {
    const framed = frameLine(5, 'M117 a*b');
    expect(parseFramedLine(framed)).toEqual({ line: 5, command: 'M117 a*b' });
  });

  it('round-trips frameLine for printable ASCII commands', () => {
    const printable = fc
      .string({ unit: fc.constantFrom(...printableAscii()), minLength: 1 })
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 31 - 1 }), printable, (line, command) => {
        expect(parseFramedLine(frameLine(line, command))).toEqual({ line, command });
      }),
    );
  });
});

function printableAscii(): string[] {
  const chars: string[] = [];
  for (let code = 0x20; code <= 0x7e; code++) {
    const char = String.fromCharCode(code);
    if (char !== '*' && char !== ';') chars.push(char);
  }
  return chars;
}
