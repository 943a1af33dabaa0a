import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type JobSource, openJobSource } from './job-source.js';

const dir = mkdtempSync(join(tmpdir(), 'printos-job-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function zip(name: string, entries: Record<string, string>): string {
  const path = join(dir, name);
  const script =
    'import sys,zipfile,json\nz=zipfile.ZipFile(sys.argv[1],"w",zipfile.ZIP_DEFLATED)\nfor k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)\nz.close()';
  execFileSync('python3', ['-c', script, path, JSON.stringify(entries)]);
  return path;
}

async function readAll(source: JobSource, batch = 3) {
  const lines = [];
  for (;;) {
    const { lines: got, done } = await source.read(batch);
    lines.push(...got);
    if (done) break;
  }
  await source.close();
  return lines;
}

const SAMPLE = '; header\nG28 ; home\n\nM104 S200\r\nG1 X1 Y2 ; move\n;only comment\nG1 X3';

describe('openJobSource', () => {
  it('reads stripped commands with file line numbers and byte offsets', async () => {
    const source = await openJobSource(file('a.gcode', SAMPLE));
    expect(source.name).toBe('a.gcode');
    expect(source.totalBytes).toBe(Buffer.byteLength(SAMPLE));
    const lines = await readAll(source);
    expect(lines.map((l) => [l.command, l.fileLine])).toEqual([
      ['G28', 2],
      ['M104 S200', 4],
      ['G1 X1 Y2', 5],
      ['G1 X3', 7],
    ]);
    expect(lines.at(-1)?.endOffset).toBe(source.totalBytes);
  });

  it('reads the one G-code file inside a zip', async () => {
    const path = zip('job.zip', {
      'model.gcode': SAMPLE,
      'thumb.png': 'x',
      '__MACOSX/._model.gcode': 'junk',
    });
    const source = await openJobSource(path);
    expect(source.name).toBe('model.gcode');
    expect((await readAll(source)).map((l) => l.command)).toEqual([
      'G28',
      'M104 S200',
      'G1 X1 Y2',
      'G1 X3',
    ]);
  });

  it.each([
    ['no G-code', { 'readme.txt': 'x' }, /holds no G-code/],
    [
      'two G-code files',
      { 'a.gcode': 'G28', 'b.gcode': 'G28' },
      /several G-code files \(a\.gcode, b\.gcode\)/,
    ],
  ])('refuses a zip with %s', async (_, entries, message) => {
    await expect(
      openJobSource(zip(`bad-${Object.keys(entries).length}.zip`, entries)),
    ).rejects.toMatchObject({
      code: 'FILE_INVALID',
      message: expect.stringMatching(message),
    });
  });

  it.each([
    ['a missing file', join(dir, 'missing.gcode'), 'FILE_NOT_FOUND'],
    ['another extension', file('model.stl', 'solid x'), 'FILE_INVALID'],
    ['a broken zip', file('broken.zip', 'PK\u0003\u0004 not really'), 'FILE_INVALID'],
    ['a directory', dir, 'FILE_INVALID'],
  ])('refuses %s with a clear error', async (_, path, code) => {
    await expect(openJobSource(path)).rejects.toMatchObject({ code });
  });

  it('refuses a file whose "line" has no end', async () => {
    const source = await openJobSource(file('binary.gcode', Buffer.alloc(200_000, 65)));
    await expect(readAll(source, 10)).rejects.toMatchObject({ code: 'FILE_INVALID' });
  });

  it('starts a 1 GB file at once and reads it with constant memory', async () => {
    const path = join(dir, 'big.gcode');
    const block = Buffer.from('G1 X10.123 Y20.456 E0.0123 ; a move\n'.repeat(30_000));
    const fd = openSync(path, 'w');
    for (let written = 0; written < 1024 ** 3; written += block.length) writeSync(fd, block);
    closeSync(fd);
    const started = performance.now();
    const source = await openJobSource(path);
    const first = await source.read(512);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(first.lines).toHaveLength(512);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let lines = 0;
    while (lines < 3_000_000) lines += (await source.read(4096)).lines.length; // ~110 MB of the file
    const grown = process.memoryUsage().rss - rssBefore;
    await source.close();
    rmSync(path);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);
});
