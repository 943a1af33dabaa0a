import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ConfigDeps, registerConfig } from '../../src/cli/config.js';
import type { ServiceClient } from '../../src/service/api-client.js';

let dataDir: string;
let out: string[];

function fakeService(): ServiceClient {
  return { url: 'http://127.0.0.1:1', request: async <T>() => ({}) as T };
}

function deps(running = false): ConfigDeps {
  return {
    write: (text) => out.push(text),
    connectToService: async () => (running ? fakeService() : null),
  };
}

/** Runs `printos config …` through commander, as the CLI would. */
async function run(args: string[], running = false): Promise<string> {
  out = [];
  const program = new Command('printos').exitOverride();
  registerConfig(program, deps(running));
  await program.parseAsync(['node', 'printos', 'config', ...args, '--data-dir', dataDir]);
  return out.join('');
}

beforeEach(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'printos-cli-config-')), 'data');
  out = [];
});
afterEach(async () => {
  await rm(join(dataDir, '..'), { recursive: true, force: true });
});

describe('printos config', () => {
  it('get prints defaults without creating the data directory', async () => {
    expect(await run(['get', 'cloud.url'])).toBe('embedded\n');
    expect(await run(['get', 'local.port'])).toBe('8008\n');
    expect(await run(['get', 'cloud.caFile'])).toBe('null\n');
    await expect(readFile(join(dataDir, 'settings.json'))).rejects.toThrow();
  });

  it('set validates, saves, prints the change, and get reads it back', async () => {
    expect(await run(['set', 'cloud.url', 'https://cloud.example.com'])).toBe(
      'cloud.url: embedded → https://cloud.example.com\n',
    );
    expect(await run(['get', 'cloud.url'])).toBe('https://cloud.example.com\n');
    expect(await run(['set', 'autologin', 'off'])).toBe('autologin: true → false\n');
    expect(JSON.parse(await readFile(join(dataDir, 'settings.json'), 'utf8'))).toEqual({
      version: 1,
      cloud: { url: 'https://cloud.example.com' },
      autologin: false,
    });
  });

  it('set says when nothing changes', async () => {
    expect(await run(['set', 'offline', 'no'])).toBe(
      'offline is already false; nothing changed.\n',
    );
  });

  it('set tells that a running service applies it at restart', async () => {
    const text = await run(['set', 'local.port', '8123'], true);
    expect(text).toContain('local.port: 8008 → 8123');
    expect(text).toContain('applies when it restarts');
  });

  it.each<[string[], RegExp]>([
    [
      ['set', 'cloud.url', 'http://cloud.example.com'],
      /cloud\.url: plain http is allowed only to a loopback/,
    ],
    [['set', 'local.port', 'x'], /local\.port: expected a whole number/],
    [['set', 'nope', '1'], /Unknown setting "nope"; the settings are: cloud\.url/],
    [['get', 'nope'], /Unknown setting/],
  ])('%j is refused with CONFIG_INVALID', async (args, message) => {
    const error = await run(args).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(message);
    await expect(readFile(join(dataDir, 'settings.json'))).rejects.toThrow();
  });

  it('list shows every key, its meaning, and the default of changed ones', async () => {
    await run(['set', 'local.port', '9000']);
    const text = await run(['list']);
    expect(text).toContain('cloud.url = embedded\n');
    expect(text).toContain('local.port = 9000   (default: 8008)\n');
    expect(text).toMatch(/autologin = true\n {4}keep the cloud credentials/);
    const rows = JSON.parse(await run(['list', '--json']));
    expect(rows.map((r: { key: string }) => r.key)).toEqual([
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
    expect(rows[4]).toMatchObject({ key: 'local.port', value: 9000, default: 8008 });
  });

  it('reports a broken settings file', async () => {
    await run(['set', 'offline', 'on']);
    await writeFile(join(dataDir, 'settings.json'), '{"offline": "maybe", "cloud": {"x": 1}}');
    const error = await run(['get', 'offline']).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(/- offline: /);
    expect((error as Error).message).toMatch(/- cloud\.x: unknown setting/);
  });
});
