import { describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { decodeLine, LineSplitter, parseRawLine, type RawLine } from './line-splitter.js';

function pushAll(splitter: LineSplitter, chunks: readonly (string | Buffer)[]): RawLine[] {
  return chunks.flatMap((chunk) =>
    splitter.push(typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk),
  );
}

describe('LineSplitter', () => {
  it.each<[string, (string | Buffer)[], RawLine[]]>([
    ['one line', ['ok\n'], [{ text: 'ok' }]],
    [
      'several lines in a chunk',
      ['ok\nwait\nstart\n'],
      [{ text: 'ok' }, { text: 'wait' }, { text: 'start' }],
    ],
    ['CRLF', ['ok\r\nwait\r\n'], [{ text: 'ok' }, { text: 'wait' }]],
    ['CR split from LF', ['ok\r', '\n'], [{ text: 'ok' }]],
    ['line split across chunks', ['o', 'k N1', '2 P15 B3\n'], [{ text: 'ok N12 P15 B3' }]],
    ['byte at a time', [...'T:20.0\n'], [{ text: 'T:20.0' }]],
    ['empty lines skipped', ['\n\r\n\nok\n\n'], [{ text: 'ok' }]],
    ['partial line held back', ['ok\npartial'], [{ text: 'ok' }]],
    ['tab kept', ['echo:\tx\n'], [{ text: 'echo:\tx' }]],
    ['valid UTF-8', [Buffer.from('echo:Grüße\n', 'utf8')], [{ text: 'echo:Grüße' }]],
    [
      'UTF-8 split across chunks',
      [Buffer.from([0x61, 0xc3]), Buffer.from([0xbc, 0x0a])],
      [{ text: 'aü' }],
    ],
    [
      'invalid UTF-8',
      [Buffer.from([0x6f, 0x6b, 0xff, 0xfe, 0x0a])],
      [{ text: 'ok\uFFFD\uFFFD', problem: 'encoding' }],
    ],
    ['NUL', [Buffer.from('o\u0000k\n', 'latin1')], [{ text: 'o\uFFFDk', problem: 'control' }]],
    [
      'bell and escape',
      ['\u0007ok\u001b[0m\n'],
      [{ text: '\uFFFDok\uFFFD[0m', problem: 'control' }],
    ],
    ['CR inside a line', ['ok\rok\n'], [{ text: 'ok\uFFFDok', problem: 'control' }]],
    ['DEL', ['ok\u007f\n'], [{ text: 'ok\uFFFD', problem: 'control' }]],
    [
      'invalid UTF-8 and control',
      [Buffer.from([0x00, 0xff, 0x0a])],
      [{ text: '\uFFFD\uFFFD', problem: 'encoding' }],
    ],
  ])('%s', (_name, chunks, expected) => {
    expect(pushAll(new LineSplitter(), chunks)).toEqual(expected);
  });

  it('truncates a long line inside one chunk and flags it', () => {
    const splitter = new LineSplitter(8);
    expect(splitter.push(Buffer.from('0123456789abc\nok\n'))).toEqual([
      { text: '01234567', problem: 'too-long' },
      { text: 'ok' },
    ]);
  });

  it('accepts a line of exactly the limit, with or without CR', () => {
    const splitter = new LineSplitter(4);
    expect(pushAll(splitter, ['ab', 'cd\r', '\n', 'wxyz\n'])).toEqual([
      { text: 'abcd' },
      { text: 'wxyz' },
    ]);
  });

  it('reports a long line as soon as it passes the limit, then drops the rest', () => {
    const splitter = new LineSplitter(8);
    expect(splitter.push(Buffer.from('0123'))).toEqual([]);
    expect(splitter.push(Buffer.from('456789'))).toEqual([
      { text: '01234567', problem: 'too-long' },
    ]);
    expect(splitter.push(Buffer.from('more garbage'))).toEqual([]);
    expect(splitter.push(Buffer.from('still\nok\n'))).toEqual([{ text: 'ok' }]);
  });

  it('flags a truncated multi-byte character as too-long, not encoding', () => {
    const splitter = new LineSplitter(3);
    expect(splitter.push(Buffer.from('abü\n', 'utf8'))).toEqual([
      { text: 'ab\uFFFD', problem: 'too-long' },
    ]);
  });

  it('stays bounded on 10 MB of garbage without a newline', () => {
    const splitter = new LineSplitter(1024);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const reported: RawLine[] = [];
    const before = process.memoryUsage().arrayBuffers;
    for (let sent = 0; sent < 10 * 1024 * 1024; sent += chunk.length) {
      reported.push(...splitter.push(chunk));
    }
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(reported).toEqual([{ text: 'A'.repeat(1024), problem: 'too-long' }]);
    expect(grown).toBeLessThan(4 * 1024 * 1024);
    expect(splitter.push(Buffer.from('\nok\n'))).toEqual([{ text: 'ok' }]);
  });

  it('flush returns the partial line and resets', () => {
    const splitter = new LineSplitter();
    splitter.push(Buffer.from('ok\nT:20'));
    expect(splitter.flush()).toEqual([{ text: 'T:20' }]);
    expect(splitter.flush()).toEqual([]);
    expect(splitter.push(Buffer.from('ok\n'))).toEqual([{ text: 'ok' }]);
  });

  it('flush drops the tail of an over-long line', () => {
    const splitter = new LineSplitter(2);
    expect(splitter.push(Buffer.from('abcdef'))).toEqual([{ text: 'ab', problem: 'too-long' }]);
    expect(splitter.flush()).toEqual([]);
    expect(splitter.push(Buffer.from('ok\n'))).toEqual([{ text: 'ok' }]);
  });

  it.each([0, -1, 1.5])('rejects a line limit of %d', (limit) => {
    expect(() => new LineSplitter(limit)).toThrow(PrintosError);
  });

  it('splits 10 000 lines in one chunk', () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `ok N${i} P15 B3`);
    const result = new LineSplitter().push(Buffer.from(`${lines.join('\r\n')}\r\n`));
    expect(result.map((line) => line.text)).toEqual(lines);
  });
});

describe('decodeLine', () => {
  it('takes the ASCII fast path for plain text', () => {
    expect(decodeLine(Buffer.from('ok T:20.0 /0.0'))).toEqual({ text: 'ok T:20.0 /0.0' });
  });
});

describe('parseRawLine', () => {
  it.each<[RawLine, ReturnType<typeof parseRawLine>]>([
    [{ text: 'ok' }, { kind: 'ok' }],
    [{ text: 'Resend: 3' }, { kind: 'resend', line: 3 }],
    [
      { text: 'ok\uFFFD', problem: 'encoding' },
      { kind: 'garbled', text: 'ok\uFFFD', reason: 'encoding' },
    ],
    [
      { text: 'AAAA', problem: 'too-long' },
      { kind: 'garbled', text: 'AAAA', reason: 'too-long' },
    ],
    [
      { text: 'o\uFFFDk', problem: 'control' },
      { kind: 'garbled', text: 'o\uFFFDk', reason: 'control' },
    ],
  ])('%j', (raw, expected) => {
    expect(parseRawLine(raw)).toEqual(expected);
  });
});
