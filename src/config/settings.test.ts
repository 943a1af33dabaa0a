import { describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import {
  cloudUrlProblem,
  externalAccess,
  DEFAULT_SETTINGS,
  isLoopbackHost,
  parseSettings,
  SETTING_FIELDS,
} from './settings.js';

function problemsOf(input: unknown): string[] {
  try {
    parseSettings(input);
  } catch (err) {
    expect(err).toBeInstanceOf(PrintosError);
    expect((err as PrintosError).code).toBe('CONFIG_INVALID');
    return (err as PrintosError).details?.problems as string[];
  }
  throw new Error('expected the settings to be refused');
}

describe('settings schema', () => {
  it('has a default for every field', () => {
    expect(parseSettings({})).toEqual({
      version: 1,
      cloud: { url: 'embedded', caFile: null, embeddedPort: 8010 },
      offline: false,
      local: { port: 8008 },
      autologin: true,
      web: {
        profile: 'desktop',
        external: null,
        httpPort: 80,
        httpsPort: 443,
        certFile: null,
        keyFile: null,
        openBrowser: true,
        allowedHosts: [],
      },
      update: { enabled: true, checkIntervalHours: 24 },
    });
    expect(DEFAULT_SETTINGS).toEqual(parseSettings({}));
  });

  it('fills in the defaults of a partly given section', () => {
    expect(parseSettings({ cloud: { embeddedPort: 9000 } }).cloud).toEqual({
      url: 'embedded',
      caFile: null,
      embeddedPort: 9000,
    });
  });

  it.each<[string, unknown, string[]]>([
    ['unknown top-level key', { colour: 'red' }, ['colour: unknown setting']],
    [
      'unknown nested keys',
      { cloud: { host: 'x', tls: 1 } },
      ['cloud.host: unknown setting', 'cloud.tls: unknown setting'],
    ],
    ['wrong type', { offline: 'yes' }, ['offline: ']],
    ['section not an object', { local: 8008 }, ['local: must be an object']],
    ['root not an object', [1], ['(root): must be an object']],
    ['port out of range', { local: { port: 70000 } }, ['local.port: ']],
    ['port not an integer', { cloud: { embeddedPort: 80.5 } }, ['cloud.embeddedPort: ']],
    [
      'relative CA file',
      { cloud: { caFile: 'ca.pem' } },
      ['cloud.caFile: must be an absolute path'],
    ],
    ['newer version', { version: 2 }, ['version: this printos reads settings version 1 only']],
    [
      'clashing ports',
      { local: { port: 8010 } },
      ['cloud.embeddedPort: must differ from local.port (8010)'],
    ],
  ])('reports %s with its path', (_name, input, expected) => {
    const problems = problemsOf(input);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((prefix, i) => {
      expect(problems[i]).toContain(prefix);
    });
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      cloud: { url: 'ftp://x', embeddedPort: 0 },
      offline: 1,
      extra: true,
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'cloud.embeddedPort',
      'cloud.url',
      'extra',
      'offline',
    ]);
  });

  it('puts every problem in the message', () => {
    expect(() => parseSettings({ offline: 1, local: { port: -1 } }, 'settings in /x.json')).toThrow(
      /Invalid settings in \/x\.json:\n {2}- offline: .*\n {2}- local\.port: /,
    );
  });

  it('allows the same port for both when the cloud is not embedded', () => {
    const settings = parseSettings({ cloud: { url: 'https://c.example', embeddedPort: 8008 } });
    expect(settings.cloud.embeddedPort).toBe(8008);
  });
});

describe('cloud.url', () => {
  it.each([
    'embedded',
    'https://cloud.example.com',
    'https://cloud.example.com:8443/base',
    'http://127.0.0.1:8010',
    'http://127.9.9.9',
    'http://localhost:8010',
    'http://[::1]:8010',
    'HTTP://LOCALHOST',
  ])('accepts %s', (url) => {
    expect(cloudUrlProblem(url)).toBeUndefined();
    expect(parseSettings({ cloud: { url } }).cloud.url).toBe(url);
  });

  it.each<[string, RegExp]>([
    ['http://cloud.example.com', /only to a loopback address/],
    ['http://192.168.1.10:8010', /only to a loopback address/],
    ['http://127.0.0.1.example.com', /only to a loopback address/],
    ['http://localhost.example.com', /only to a loopback address/],
    ['ftp://cloud.example.com', /https:\/\/ URL, not ftp:/],
    ['cloud.example.com', /must be "embedded" or a URL/],
    ['', /must be "embedded" or a URL/],
    ['Embedded', /must be "embedded" or a URL/],
    ['https://user:pw@cloud.example.com', /user name or password/],
    ['https://cloud.example.com/?x=1', /query/],
    ['https://cloud.example.com/#a', /fragment/],
  ])('refuses %j', (url, message) => {
    expect(cloudUrlProblem(url)).toMatch(message);
    expect(problemsOf({ cloud: { url } })[0]).toMatch(/^cloud\.url: /);
  });

  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['[::1]', true],
    ['10.0.0.1', false],
    ['127.example.com', false],
    ['[::2]', false],
  ])('isLoopbackHost(%s) = %s', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe('SETTING_FIELDS', () => {
  it('lists every leaf with its types, default and description', () => {
    expect(SETTING_FIELDS.map((f) => f.key)).toEqual([
      'cloud.url',
      'cloud.caFile',
      'cloud.embeddedPort',
      'offline',
      'local.port',
      'autologin',
      'web.profile',
      'web.external',
      'web.httpPort',
      'web.httpsPort',
      'web.certFile',
      'web.keyFile',
      'web.openBrowser',
      'web.allowedHosts',
      'update.enabled',
      'update.checkIntervalHours',
    ]);
    const caFile = SETTING_FIELDS.find((f) => f.key === 'cloud.caFile');
    expect(caFile?.types).toEqual(expect.arrayContaining(['string', 'null']));
    expect(caFile?.defaultValue).toBeNull();
    for (const field of SETTING_FIELDS) expect(field.description.length).toBeGreaterThan(10);
  });
});

describe('web settings', () => {
  it.each<[string, unknown, boolean]>([
    ['desktop by default: no external access', {}, false],
    ['the rpi profile: external access', { profile: 'rpi' }, true],
    ['rpi, turned off', { profile: 'rpi', external: false }, false],
    ['desktop, turned on', { external: true }, true],
  ])('%s', (_name, web, expected) => {
    expect(externalAccess(parseSettings({ web }).web)).toBe(expected);
  });

  it('keeps allowed host names in lower case', () => {
    const web = parseSettings({ web: { allowedHosts: ['Printer.Example.com', '[fd00::2]'] } }).web;
    expect(web.allowedHosts).toEqual(['printer.example.com', '[fd00::2]']);
  });

  it.each<[string, unknown, string[]]>([
    [
      'same port twice',
      { web: { httpPort: 8443, httpsPort: 8443 } },
      ['web.httpsPort: must differ'],
    ],
    [
      'the local port',
      { web: { httpsPort: 8008 } },
      ['web.httpsPort: must differ from local.port'],
    ],
    ['a certificate without key', { web: { certFile: '/etc/c.pem' } }, ['web.keyFile: ']],
    ['a key without certificate', { web: { keyFile: '/etc/k.pem' } }, ['web.certFile: ']],
    ['a relative certificate', { web: { certFile: 'c.pem', keyFile: '/k' } }, ['web.certFile: ']],
    ['an unknown profile', { web: { profile: 'server' } }, ['web.profile: ']],
    ['a host with a path', { web: { allowedHosts: ['evil.example/x'] } }, ['web.allowedHosts.0: ']],
    ['a host with a port', { web: { allowedHosts: ['a.example:80'] } }, ['web.allowedHosts.0: ']],
    ['an unknown key', { web: { port: 1 } }, ['web.port: unknown setting']],
  ])('refuses %s', (_name, input, expected) => {
    const problems = problemsOf(input);
    expect(problems).toHaveLength(expected.length);
    expected.forEach((prefix, i) => {
      expect(problems[i]).toContain(prefix);
    });
  });
});

describe('update settings', () => {
  it.each([
    [{ checkIntervalHours: 0 }, 'update.checkIntervalHours'],
    [{ checkIntervalHours: 1.5 }, 'update.checkIntervalHours'],
    [{ enabled: 'yes' }, 'update.enabled'],
  ])('refuses %j', (update, key) => {
    expect(() => parseSettings({ update })).toThrow(key);
  });

  it('checks at most once an hour', () => {
    expect(parseSettings({ update: { checkIntervalHours: 1 } }).update.checkIntervalHours).toBe(1);
  });
});
