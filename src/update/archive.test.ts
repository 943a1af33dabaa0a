import {
  chmod,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { packRelease, unpackRelease, unsafeEntry } from './archive.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-archive-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface RawEntry {
  path: string;
  type?: string;
  linkpath?: string;
  mode?: number;
  data?: string;
}

/** A hand-made tar.gz: exactly the headers a hostile archive would carry, nothing cleaned up. */
function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const header = new Header({
      path: e.path,
      type: (e.type ?? 'File') as 'File',
      mode: e.mode ?? 0o644,
      size: e.type === undefined || e.type === 'File' ? data.length : 0,
      mtime: new Date(0),
      ...(e.linkpath !== undefined ? { linkpath: e.linkpath } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (data.length > 0) {
      const padded = Buffer.alloc(Math.ceil(data.length / 512) * 512);
      data.copy(padded);
      blocks.push(padded);
    }
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

async function makeSource(): Promise<string> {
  const src = join(dir, 'src');
  await mkdir(join(src, 'bin'), { recursive: true });
  await mkdir(join(src, 'lib', 'deep'), { recursive: true });
  await writeFile(join(src, 'package.json'), '{"name":"printos","version":"0.1.0"}\n');
  await writeFile(join(src, 'bin', 'run.js'), '#!/usr/bin/env node\n');
  await chmod(join(src, 'bin', 'run.js'), 0o755);
  await writeFile(join(src, 'lib', 'deep', 'a.js'), 'export const a = 1;\n');
  await utimes(
    join(src, 'lib', 'deep', 'a.js'),
    new Date(1_600_000_000_000),
    new Date(1_600_000_000_000),
  );
  await symlink('deep/a.js', join(src, 'lib', 'link.js'));
  return src;
}

describe('packRelease / unpackRelease', () => {
  it('round-trips files, modes, mtimes and links, with replaced content from memory', async () => {
    const src = await makeSource();
    const files = ['bin/run.js', 'lib/deep/a.js', 'lib/link.js', 'package.json'];
    const out = join(dir, 'r.tar.gz');
    await packRelease(src, files, out, {
      replace: { 'package.json': Buffer.from('{"name":"printos","version":"9.9.9"}\n') },
    });
    expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const dest = join(dir, 'out');
    await unpackRelease(out, dest);
    expect(JSON.parse(await readFile(join(dest, 'package.json'), 'utf8')).version).toBe('9.9.9');
    expect(JSON.parse(await readFile(join(src, 'package.json'), 'utf8')).version).toBe('0.1.0');
    expect((await lstat(join(dest, 'bin', 'run.js'))).mode & 0o111).toBe(0o111);
    expect((await lstat(join(dest, 'lib', 'deep', 'a.js'))).mtimeMs).toBe(1_600_000_000_000);
    expect(await readlink(join(dest, 'lib', 'link.js'))).toBe('deep/a.js');
    expect(await readFile(join(dest, 'lib', 'link.js'), 'utf8')).toContain('a = 1');
  });

  it('unpacks readable files under the umask 0077 of the service unit', async () => {
    const src = await makeSource();
    const out = join(dir, 'r.tar.gz');
    await packRelease(src, ['bin/run.js', 'lib/deep/a.js'], out);
    const previous = process.umask(0o077);
    try {
      await unpackRelease(out, join(dir, 'out'));
    } finally {
      process.umask(previous);
    }
    expect((await lstat(join(dir, 'out', 'bin', 'run.js'))).mode & 0o777).toBe(0o755);
    expect((await lstat(join(dir, 'out', 'lib', 'deep', 'a.js'))).mode & 0o777).toBe(0o644);
    expect((await lstat(join(dir, 'out', 'lib'))).mode & 0o777).toBe(0o755);
  });

  it('writes no owner names (portable)', async () => {
    const src = await makeSource();
    const out = join(dir, 'r.tar.gz');
    await packRelease(src, ['package.json'], out);
    const { gunzipSync } = await import('node:zlib');
    const header = new Header(gunzipSync(await readFile(out)), 0);
    expect(header.path).toBe('package.json');
    expect(header.uname ?? '').toBe('');
    expect(header.gname ?? '').toBe('');
  });

  it('refuses to pack a path out of the source or a link pointing out of it', async () => {
    const src = await makeSource();
    await symlink('../../etc/passwd', join(src, 'lib', 'out.js'));
    const out = join(dir, 'r.tar.gz');
    await expect(packRelease(src, ['../x'], out)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(packRelease(src, ['lib/out.js'], out)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('outside'),
    });
    expect(await readdir(dir)).toEqual(['src']);
  });

  const hostile: Array<[string, RawEntry[], RegExp]> = [
    [
      'a ../ entry',
      [
        { path: 'ok.txt', data: 'x' },
        { path: '../evil.txt', data: 'x' },
      ],
      /\.\./,
    ],
    ['a nested ../ entry', [{ path: 'a/../../evil.txt', data: 'x' }], /\.\./],
    ['an absolute path', [{ path: '/tmp/printos-evil.txt', data: 'x' }], /absolute/],
    ['a symlink out', [{ path: 'lib/x', type: 'SymbolicLink', linkpath: '../../x' }], /outside/],
    [
      'an absolute symlink',
      [{ path: 'x', type: 'SymbolicLink', linkpath: '/etc/passwd' }],
      /absolute/,
    ],
    ['a hard link out', [{ path: 'x', type: 'Link', linkpath: '../y' }], /outside/],
    ['a device', [{ path: 'dev', type: 'CharacterDevice' }], /CharacterDevice/],
    ['a FIFO', [{ path: 'fifo', type: 'FIFO' }], /FIFO/],
    ['a set-uid file', [{ path: 'suid', mode: 0o4755, data: 'x' }], /set-user/],
  ];
  it.each(hostile)('refuses %s and leaves nothing behind', async (_name, entries, why) => {
    const archive = join(dir, 'evil.tar.gz');
    await writeFile(archive, rawTar(entries));
    const dest = join(dir, 'dest');
    const err = await unpackRelease(archive, dest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrintosError);
    expect(err).toMatchObject({ code: 'UPDATE_INVALID', message: expect.stringMatching(why) });
    expect((err as Error).message).toContain('nothing was installed');
    expect(await readdir(dest)).toEqual([]);
    expect(await readdir(dir)).toEqual(['dest', 'evil.tar.gz']);
  });

  it('accepts links that stay inside', async () => {
    const archive = join(dir, 'ok.tar.gz');
    await writeFile(
      archive,
      rawTar([
        { path: 'a/b.txt', data: 'hello' },
        { path: 'a/c', type: 'SymbolicLink', linkpath: '../a/b.txt' },
        { path: 'd.txt', type: 'Link', linkpath: 'a/b.txt' },
      ]),
    );
    const dest = join(dir, 'dest');
    await unpackRelease(archive, dest);
    expect(await readFile(join(dest, 'a', 'c'), 'utf8')).toBe('hello');
    expect(await readFile(join(dest, 'd.txt'), 'utf8')).toBe('hello');
  });

  it('refuses a destination that is not empty, and a file that is not a tar', async () => {
    const dest = join(dir, 'dest');
    await mkdir(dest);
    await writeFile(join(dest, 'keep'), 'x');
    await writeFile(join(dir, 'a.tar.gz'), rawTar([{ path: 'x', data: 'x' }]));
    await expect(unpackRelease(join(dir, 'a.tar.gz'), dest)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await readdir(dest)).toEqual(['keep']);
    await writeFile(
      join(dir, 'junk.tar.gz'),
      gzipSync(Buffer.from('not a tar at all'.repeat(100))),
    );
    const empty = join(dir, 'empty');
    await expect(unpackRelease(join(dir, 'junk.tar.gz'), empty)).rejects.toMatchObject({
      code: 'UPDATE_INVALID',
    });
  });
});

describe('unsafeEntry', () => {
  const table: Array<[string, string, string | undefined, string | null]> = [
    ['dist/main.js', 'File', undefined, null],
    ['./dist/main.js', 'File', undefined, null],
    ['a/b', 'SymbolicLink', '../c', null],
    ['a/b', 'SymbolicLink', '../../c', 'a link that points outside the release'],
    ['a', 'SymbolicLink', '.', null],
    ['a', 'SymbolicLink', '..', 'a link that points outside the release'],
    // With s -> '.', s/.. is the release's parent: .. only as leading steps.
    ['a', 'SymbolicLink', 's/..', 'a link with .. after a name'],
    ['a/b/c', 'SymbolicLink', '../../x/./y', null],
    ['a/b/c', 'SymbolicLink', '..\\..\\..\\x', 'a link that points outside the release'],
    ['a', 'Link', 'b/../c', 'a link with .. after a name'],
    ['a/b', 'Link', '../c', 'a link that points outside the release'],
    ['C:\\x', 'File', undefined, 'an absolute path'],
    ['a\\..\\..\\x', 'File', undefined, 'a path with ..'],
    ['x', 'BlockDevice', undefined, 'a BlockDevice entry'],
  ];
  it.each(table)('%s (%s → %s)', (path, type, linkpath, expected) => {
    expect(unsafeEntry(path, { type: type as 'File', linkpath, mode: 0o644 })).toBe(expected);
  });
});
