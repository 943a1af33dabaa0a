import { describe, expect, it } from 'vitest';
import { commandCode, heaterTargetFrom, isLongCommand, isMotionCommand } from './commands.js';

describe('commandCode', () => {
  it.each<[string, string]>([
    ['G1 X10 Y20', 'G1'],
    ['G01 X10', 'G1'],
    ['G00', 'G0'],
    ['G0', 'G0'],
    ['g1 x10', 'G1'],
    ['M104 S200', 'M104'],
    ['m104 s200', 'M104'],
    ['M104S200', 'M104'],
    ['G1X10', 'G1'],
    ['T0', 'T0'],
    ['T1', 'T1'],
    ['G28', 'G28'],
    ['M0', 'M0'],
    ['M00', 'M0'],
    ['M600', 'M600'],
    ['G29.1 X1', 'G29.1'],
    ['G38.2 Z-10', 'G38.2'],
    ['G1.', 'G1'],
    ['  G28', 'G28'],
    ['M117 Hello', 'M117'],
    ['', ''],
    ['X10 Y20', ''],
    ['G', ''],
    ['GX', ''],
    ['TURN_OFF_HEATERS', ''],
    ['PRINT_START', ''],
    ['@pause', ''],
  ])('%j → %j', (cmd, expected) => {
    expect(commandCode(cmd)).toBe(expected);
  });
});

describe('isLongCommand', () => {
  it.each([
    'G4',
    'G28',
    'G29',
    'G30',
    'G32',
    'G33',
    'G34',
    'M109',
    'M190',
    'M191',
    'M303',
    'M400',
    'M600',
    'M226',
    'M1',
    'M0',
  ])('%s is long', (code) => {
    expect(isLongCommand(code)).toBe(true);
  });

  it.each(['G1', 'M104', 'M140', 'M105', 'T0', '', 'g28'])('%j is not long', (code) => {
    expect(isLongCommand(code)).toBe(false);
  });
});

describe('isMotionCommand', () => {
  it.each<[string, boolean]>([
    ['G0', true],
    ['G1', true],
    ['G2', true],
    ['G3', true],
    ['G5', true],
    ['G4', false],
    ['G28', false],
    ['G92', false],
    ['M104', false],
    ['', false],
  ])('%j → %s', (code, expected) => {
    expect(isMotionCommand(code)).toBe(expected);
  });
});

describe('heaterTargetFrom', () => {
  it.each<[string, ReturnType<typeof heaterTargetFrom>]>([
    ['M104 S200', { id: 'T0', target: 200 }],
    ['M104 T1 S210', { id: 'T1', target: 210 }],
    ['M104 S210 T1', { id: 'T1', target: 210 }],
    ['M104S215T2', { id: 'T2', target: 215 }],
    ['m104 t1 s190.5', { id: 'T1', target: 190.5 }],
    ['M109 S215', { id: 'T0', target: 215 }],
    ['M109 R180', { id: 'T0', target: 180 }],
    ['M109 S200 R180', { id: 'T0', target: 200 }],
    ['M104 S0', { id: 'T0', target: 0 }],
    ['M140 S60', { id: 'B', target: 60 }],
    ['M190 S60', { id: 'B', target: 60 }],
    ['M190 R40', { id: 'B', target: 40 }],
    ['M141 S40', { id: 'C', target: 40 }],
    ['M191 S45', { id: 'C', target: 45 }],
    ['M104', null],
    ['M104 T1', null],
    ['M104 S', null],
    ['M104 SX', null],
    ['M104 R200', null],
    ['M104 T-1 S200', null],
    ['M104 T1.5 S200', null],
    ['M105', null],
    ['G1 S200', null],
    ['', null],
  ])('%j → %j', (cmd, expected) => {
    expect(heaterTargetFrom(cmd)).toEqual(expected);
  });

  it('applies a bare M104 to the active tool', () => {
    expect(heaterTargetFrom('M104 S200', 1)).toEqual({ id: 'T1', target: 200 });
    expect(heaterTargetFrom('M104 T0 S200', 1)).toEqual({ id: 'T0', target: 200 });
  });
});
