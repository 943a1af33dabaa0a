import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR } from '../streamer-api/index.js';
import { consoleLines, parseCommand, parseNumber, sanitizeFilename } from './commands.js';

describe('parseCommand', () => {
  it.each([
    ['no command', {}, null],
    ['null command', { command: null, number: 1 }, null],
  ])('%s → nothing', (_name, answer, expected) => {
    expect(parseCommand(answer)).toBe(expected);
  });

  it.each([
    ['pause', 3, { ok: true, name: 'pause', number: 3 }],
    ['unpause', '7', { ok: true, name: 'unpause', number: 7 }],
    ['gcodes', -1, { ok: true, name: 'gcodes', number: -1 }],
    ['pause', 1.5, { ok: false, number: null, code: CLIENT_ERROR.BAD_NUMBER }],
    ['pause', 'x', { ok: false, number: null, code: CLIENT_ERROR.BAD_NUMBER }],
    ['pause', undefined, { ok: false, number: null, code: CLIENT_ERROR.BAD_NUMBER }],
    ['_private', 4, { ok: false, number: 4, code: CLIENT_ERROR.INVALID_COMMAND }],
    ['a.b', 4, { ok: false, number: 4, code: CLIENT_ERROR.INVALID_COMMAND }],
    ['x__y', 4, { ok: false, number: 4, code: CLIENT_ERROR.INVALID_COMMAND }],
    ['fly_to_moon', 5, { ok: false, number: 5, code: CLIENT_ERROR.UNKNOWN_COMMAND }],
    ['run', 5, { ok: false, number: 5, code: CLIENT_ERROR.UNKNOWN_COMMAND }],
  ])('%s #%s', (command, number, expected) => {
    expect(parseCommand({ command, number })).toMatchObject(expected);
  });
});

describe('parseNumber', () => {
  it.each([
    [1, 1],
    [-1, -1],
    [' 12 ', 12],
    ['1e3', null],
    [2 ** 60, null],
    [Number.NaN, null],
    [null, null],
  ])('%s → %s', (value, expected) => {
    expect(parseNumber(value)).toBe(expected);
  });
});

describe('consoleLines', () => {
  it('number -1: raw text', () => {
    expect(consoleLines('G28\n\n  M105 \r\n', -1)).toEqual(['G28', 'M105']);
  });
  it('otherwise base64', () => {
    expect(consoleLines(Buffer.from('G1 X1\nM114').toString('base64'), 9)).toEqual([
      'G1 X1',
      'M114',
    ]);
  });
  it('a list payload uses its first item', () => {
    expect(consoleLines(['M105'], -1)).toEqual(['M105']);
  });
  it.each([
    ['not base64', '!!!', 3],
    ['not text', 42, -1],
  ])('refuses %s', (_name, payload, number) => {
    expect(() => consoleLines(payload, number)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('sanitizeFilename', () => {
  it.each([
    ['cube.gcode', false, 'cube.gcode'],
    ['my cube (2).gcode', false, 'my_cube__2_.gcode'],
    ['../../etc/passwd', false, 'passwd'],
    ['..\\evil.gcode', false, 'evil.gcode'],
    ['...hidden', false, 'hidden'],
    ['', false, 'cloud-job.gcode'],
    [undefined, true, 'cloud-job.zip'],
    ['x'.repeat(300), false, 'x'.repeat(253)],
  ])('%s → %s', (name, zip, expected) => {
    expect(sanitizeFilename(name, zip)).toBe(expected);
  });
});
