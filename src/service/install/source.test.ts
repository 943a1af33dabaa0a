import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeSource } from './source.js';

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'printos-source-'));
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name: 'printos', version: '1.2.3' }),
  );
  await mkdir(join(root, 'bin'));
  await mkdir(join(root, 'node_modules'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function file(path: string, seconds: number): Promise<void> {
  await mkdir(join(root, path, '..'), { recursive: true });
  await writeFile(join(root, path), '');
  await utimes(join(root, path), seconds, seconds);
}

const listFiles = async () => ['package.json', 'dist/main.js'];

describe('describeSource', () => {
  it('a release (no src/) is copied by its top-level entries', async () => {
    await file('dist/main.js', 1000);
    expect(await describeSource(root, { listFiles })).toEqual({
      root,
      version: '1.2.3',
      entries: ['package.json', 'bin', 'dist', 'node_modules'],
      state: 'release',
    });
  });

  it('a built checkout is copied by the file list', async () => {
    await file('src/deep/a.ts', 1000);
    await file('dist/main.js', 2000);
    const source = await describeSource(root, { listFiles });
    expect(source).toMatchObject({ state: 'built', entries: ['package.json', 'dist/main.js'] });
  });

  it.each([
    ['stale', 3000, 2000],
    ['built', 2000, 2000],
  ])('%s when the newest source is at %ss and dist at %ss', async (state, srcTime, distTime) => {
    await file('src/deep/a.ts', 1000);
    await file('src/deep/b.ts', srcTime);
    await file('dist/main.js', distTime);
    expect((await describeSource(root)).state).toBe(state);
  });

  it('unbuilt without dist/main.js', async () => {
    await file('src/a.ts', 1000);
    expect((await describeSource(root)).state).toBe('unbuilt');
  });

  it.each([
    ['another package', { name: 'other', version: '1.0.0' }, /not a printos package/],
    ['no version', { name: 'printos' }, /lacks a name or a version/],
  ])('refuses %s', async (_what, pkg, message) => {
    await writeFile(join(root, 'package.json'), JSON.stringify(pkg));
    await expect(describeSource(root)).rejects.toThrow(message);
  });

  it('refuses a folder without package.json', async () => {
    await expect(describeSource(join(root, 'bin'))).rejects.toThrow(/no readable package.json/);
  });
});
