import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listLogFiles } from '../core/log.js';
import { formatLine, lastLines } from './logs.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('printos logs show', () => {
  it('takes the last lines across the rotated files, newest last', async () => {
    dir = await mkdtemp(join(tmpdir(), 'printos-logs-'));
    const numbered = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i} ${'x'.repeat(200)}`);
    await writeFile(join(dir, 'printos.1.log'), `${numbered(1, 400).join('\n')}\n`);
    await writeFile(join(dir, 'printos.2.log'), `${numbered(401, 700).join('\n')}\n`);
    const files = await listLogFiles(dir);
    const last = await lastLines(files, 350);
    expect(last).toHaveLength(350);
    expect(last[0]).toMatch(/^line 351 /);
    expect(last[349]).toMatch(/^line 700 /);
    expect(await lastLines(files, 5000)).toHaveLength(700);
  });

  it.each([
    [
      '{"level":30,"time":0,"part":"link","msg":"linked","printer":"p1"}',
      '1970-01-01 00:00:00.000Z INFO  [link] linked printer="p1"',
    ],
    [
      '{"level":50,"time":0,"msg":"failed","err":{"message":"boom","stack":"s"}}',
      '1970-01-01 00:00:00.000Z ERROR failed (boom)',
    ],
    ['not json', 'not json'],
    ['[1,2]', '[1,2]'],
  ])('formats %s', (line, formatted) => {
    expect(formatLine(line)).toBe(formatted);
  });
});
