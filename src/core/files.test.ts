import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintosError } from './errors.js';
import { ensureDir, readJsonFile, removeFile, writeFileAtomic } from './files.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-files-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes the content, leaving no temporary file behind', async () => {
    const path = join(dir, 'a.json');
    await writeFileAtomic(path, 'first');
    await writeFileAtomic(path, 'second');
    expect(await readFile(path, 'utf8')).toBe('second');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it.each([0o600, 0o644, 0o640])('gives the file mode %o, whatever the umask', async (mode) => {
    const path = join(dir, 'secret');
    const previous = process.umask(0o077);
    try {
      await writeFileAtomic(path, 'x', { mode });
    } finally {
      process.umask(previous);
    }
    expect((await stat(path)).mode & 0o777).toBe(mode);
  });

  it('replaces a world-readable file with a private one', async () => {
    const path = join(dir, 'token');
    await writeFile(path, 'old', { mode: 0o644 });
    await writeFileAtomic(path, 'new', { mode: 0o600 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('fails with a message naming the file, and cleans up, when the directory is missing', async () => {
    const path = join(dir, 'missing', 'a.json');
    const error = await writeFileAtomic(path, 'x').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PrintosError);
    expect((error as PrintosError).message).toContain(path);
    expect(await readdir(dir)).toEqual([]);
  });

  it('cleans the temporary file up when the rename fails', async () => {
    const target = join(dir, 'is-a-dir');
    await ensureDir(join(target, 'inside'));
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow(PrintosError);
    expect((await readdir(dir)).sort()).toEqual(['is-a-dir']);
  });
});

describe('readJsonFile', () => {
  it('returns undefined for a missing file', async () => {
    expect(await readJsonFile(join(dir, 'none.json'))).toBeUndefined();
  });

  it('parses JSON', async () => {
    await writeFile(join(dir, 'a.json'), '{"a":[1,2]}');
    expect(await readJsonFile(join(dir, 'a.json'))).toEqual({ a: [1, 2] });
  });

  it.each(['', '{', 'not json', '{"a":1,}'])(
    'refuses %j as CONFIG_INVALID naming the file',
    async (text) => {
      const path = join(dir, 'bad.json');
      await writeFile(path, text);
      const error = await readJsonFile(path).catch((err: unknown) => err);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      expect((error as Error).message).toContain(path);
    },
  );

  it('refuses a directory as CONFIG_INVALID', async () => {
    await expect(readJsonFile(dir)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('ensureDir and removeFile', () => {
  it('creates nested directories with the mode, and accepts an existing one', async () => {
    const path = join(dir, 'a', 'b');
    await ensureDir(path, 0o700);
    await ensureDir(path, 0o700);
    expect((await stat(path)).mode & 0o777).toBe(0o700);
  });

  it('refuses a path that is a file', async () => {
    await writeFile(join(dir, 'f'), '');
    await expect(ensureDir(join(dir, 'f'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('removes a file, and a missing one quietly', async () => {
    await writeFile(join(dir, 'f'), '');
    await removeFile(join(dir, 'f'));
    await removeFile(join(dir, 'f'));
    expect(await readdir(dir)).toEqual([]);
  });
});
