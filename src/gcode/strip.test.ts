import { describe, expect, it } from 'vitest';
import { hostCommand, stripLine } from './strip.js';

describe('stripLine', () => {
  it.each<[string, string | null]>([
    ['G1 X10 Y20', 'G1 X10 Y20'],
    ['G1 X10 ; move', 'G1 X10'],
    ['; only a comment', null],
    ['', null],
    ['   \t  ', null],
    ['G28\r', 'G28'],
    ['  G28  \r', 'G28'],
    ['\uFEFFG21', 'G21'],
    ['g1 x10', 'g1 x10'],
    ['G1  X10   Y20', 'G1  X10   Y20'],
    ['G1\tX10', 'G1\tX10'],
    ['N123 G1 X10*45', 'G1 X10'],
    ['N123 G1 X10', 'G1 X10'],
    ['n7 G28', 'G28'],
    ['N10G1 X0', 'G1 X0'],
    ['N5', null],
    ['N5 *12', null],
    ['G1 X10*45', 'G1 X10'],
    ['G1 X10 *45 ; comment', 'G1 X10'],
    ['M117 a*b', 'M117 a*b'],
    ['M117 trailing*', 'M117 trailing*'],
    ['M117 Layer (1/20)', 'M117 Layer (1/20)'],
    ['G1 X1 (no paren stripping by default)', 'G1 X1 (no paren stripping by default)'],
    [';@pause', null],
    ['NOP', 'NOP'],
    ['M117 Grüße', 'M117 Grüße'],
  ])('%j → %j', (raw, expected) => {
    expect(stripLine(raw)).toBe(expected);
  });

  it.each<[string, string | null]>([
    ['G1 X1 (comment) Y2', 'G1 X1  Y2'],
    ['(whole line)', null],
    ['G1 X1 (unclosed', 'G1 X1'],
    ['G1 (a) X1 (b) Y2', 'G1  X1  Y2'],
    ['G1 X1 ; (in a comment', 'G1 X1'],
    ['M117 plain', 'M117 plain'],
  ])('with parenComments: %j → %j', (raw, expected) => {
    expect(stripLine(raw, { parenComments: true })).toBe(expected);
  });

  it('keeps parentheses when parenComments is false', () => {
    expect(stripLine('G1 (x)', { parenComments: false })).toBe('G1 (x)');
  });
});

describe('hostCommand', () => {
  it.each<[string, string | null]>([
    [';@pause', 'pause'],
    ['  ;@pause', 'pause'],
    [';@PAUSE', 'pause'],
    [';@pause now please', 'pause'],
    [';@pause\r', 'pause'],
    [';@pauses', null],
    [';@unknown', null],
    ['; @pause', null],
    ['G1 X1 ;@pause', null],
    [';pause', null],
    ['', null],
  ])('%j → %j', (raw, expected) => {
    expect(hostCommand(raw)).toBe(expected);
  });
});
