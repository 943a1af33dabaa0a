import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dataPaths, ensureDataDir, resolveDataDir } from './data-dir.js';

const home = '/home/ada';

describe('resolveDataDir', () => {
  it.each<[string | undefined, string | undefined, string]>([
    [undefined, undefined, '/home/ada/.printos'],
    [undefined, '', '/home/ada/.printos'],
    [undefined, '/srv/printos', '/srv/printos'],
    ['/data/p', '/srv/printos', '/data/p'],
    ['/data/p/', undefined, '/data/p'],
    ['~/other', undefined, '/home/ada/other'],
    ['~', undefined, '/home/ada'],
    ['rel/dir', undefined, resolve('rel/dir')],
  ])('option %j, PRINTOS_HOME %j → %s', (option, envValue, expected) => {
    const env = envValue === undefined ? {} : { PRINTOS_HOME: envValue };
    expect(resolveDataDir(option, { env, home })).toBe(expected);
  });

  it.each(['', '  ', 'a\0b'])('refuses --data-dir %j', (option) => {
    expect(() => resolveDataDir(option, { env: {}, home })).toThrow(/--data-dir/);
  });

  it('names $PRINTOS_HOME when that is the bad value', () => {
    expect(() => resolveDataDir(undefined, { env: { PRINTOS_HOME: ' ' }, home })).toThrow(
      /PRINTOS_HOME/,
    );
  });
});

describe('dataPaths', () => {
  it('puts every file under the root', () => {
    const paths = dataPaths('/d');
    expect(paths).toMatchObject({
      root: '/d',
      settings: '/d/settings.json',
      printers: '/d/printers.json',
      credentials: '/d/credentials.json',
      account: '/d/account.json',
      apiToken: '/d/api-token',
      downloads: '/d/downloads',
      cloud: '/d/cloud',
      logs: '/d/logs',
      pid: '/d/service.json',
    });
  });
});

describe('ensureDataDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'printos-datadir-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the root with mode 0700', async () => {
    const paths = dataPaths(join(dir, 'home', '.printos'));
    await ensureDataDir(paths);
    expect((await stat(paths.root)).mode & 0o777).toBe(0o700);
  });
});
