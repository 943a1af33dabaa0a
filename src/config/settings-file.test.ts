import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PrintosError } from '../core/errors.js';
import { DEFAULT_SETTINGS, type Settings } from './settings.js';
import {
  formatSettingValue,
  getSetting,
  loadSettings,
  saveSettings,
  setSetting,
} from './settings-file.js';

let dir: string;
let path: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-settings-'));
  path = join(dir, 'settings.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const defaults = (): Settings => structuredClone(DEFAULT_SETTINGS) as Settings;

describe('loadSettings / saveSettings', () => {
  it('gives the defaults when the file is missing', async () => {
    expect(await loadSettings(path)).toEqual(DEFAULT_SETTINGS);
  });

  it('round-trips, writing only what differs from the defaults', async () => {
    const changed = setSetting(setSetting(defaults(), 'local.port', '9000'), 'autologin', 'off');
    await saveSettings(path, changed);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      version: 1,
      local: { port: 9000 },
      autologin: false,
    });
    expect(await loadSettings(path)).toEqual(changed);
    expect(await readdir(dir)).toEqual(['settings.json']);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('writes just the version for default settings', async () => {
    await saveSettings(path, defaults());
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1 });
  });

  it('refuses to save invalid settings', async () => {
    const bad = { ...defaults(), local: { port: 0 } };
    await expect(saveSettings(path, bad)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('reports every problem of the file with its key path and the file name', async () => {
    await writeFile(
      path,
      JSON.stringify({ cloud: { url: 'http://example.com', x: 1 }, offline: 'no' }),
    );
    const error = (await loadSettings(path).catch((err: unknown) => err)) as PrintosError;
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(path);
    expect(
      ((error.details?.problems ?? []) as string[]).map((p) => p.split(':')[0]).sort(),
    ).toEqual(['cloud.url', 'cloud.x', 'offline']);
  });

  it('reports a file that is not JSON', async () => {
    await writeFile(path, '{ "offline": tru');
    await expect(loadSettings(path)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('getSetting', () => {
  it('reads by dotted key', () => {
    expect(getSetting(defaults(), 'cloud.url')).toBe('embedded');
    expect(getSetting(defaults(), 'local.port')).toBe(8008);
    expect(getSetting(defaults(), 'cloud.caFile')).toBeNull();
  });

  it.each(['nope', 'cloud', 'cloud.url.x', 'version', '', '__proto__', 'cloud.constructor'])(
    'refuses %j, listing the valid keys',
    (key) => {
      const error = (() => {
        try {
          getSetting(defaults(), key);
        } catch (err) {
          return err as PrintosError;
        }
      })();
      expect(error?.code).toBe('CONFIG_INVALID');
      expect(error?.message).toContain('cloud.url, cloud.caFile, cloud.embeddedPort');
    },
  );
});

describe('setSetting', () => {
  it.each<[string, string, unknown]>([
    ['autologin', 'false', false],
    ['autologin', 'OFF', false],
    ['autologin', 'no', false],
    ['autologin', 'true', true],
    ['autologin', 'on', true],
    ['offline', 'yes', true],
    ['offline', ' Yes ', true],
    ['local.port', '8081', 8081],
    ['local.port', ' 9000 ', 9000],
    ['cloud.url', 'https://cloud.example.com', 'https://cloud.example.com'],
    ['cloud.url', 'http://127.0.0.1:8010', 'http://127.0.0.1:8010'],
    ['cloud.caFile', '/etc/ssl/ca.pem', '/etc/ssl/ca.pem'],
    ['cloud.caFile', 'null', null],
  ])('%s = %j → %j', (key, raw, expected) => {
    const before = defaults();
    const after = setSetting(before, key, raw);
    expect(getSetting(after, key)).toEqual(expected);
    expect(before).toEqual(DEFAULT_SETTINGS);
  });

  it.each<[string, string, RegExp]>([
    ['autologin', 'maybe', /autologin: expected true\/false .* got "maybe"/],
    ['autologin', '1', /autologin: expected true\/false/],
    ['local.port', 'eighty', /local\.port: expected a whole number, got "eighty"/],
    ['local.port', '0x1F90', /local\.port: expected a whole number/],
    ['local.port', '80.5', /local\.port: /],
    ['local.port', '70000', /local\.port: /],
    ['cloud.url', 'http://cloud.example.com', /cloud\.url: plain http is allowed only/],
    ['cloud.url', 'null', /cloud\.url: must be "embedded" or a URL/],
    ['cloud.caFile', 'relative.pem', /cloud\.caFile: must be an absolute path/],
    ['local.port', '8010', /cloud\.embeddedPort: must differ from local\.port/],
    ['no.such', 'x', /Unknown setting "no\.such"/],
  ])('%s = %j is refused', (key, raw, message) => {
    let error: unknown;
    try {
      setSetting(defaults(), key, raw);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(message);
  });

  it('formats values as `config get` prints them', () => {
    expect(formatSettingValue('embedded')).toBe('embedded');
    expect(formatSettingValue(8008)).toBe('8008');
    expect(formatSettingValue(null)).toBe('null');
    expect(formatSettingValue(false)).toBe('false');
  });
});
