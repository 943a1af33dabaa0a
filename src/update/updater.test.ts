import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { currentVersion, readUpdateState, switchCurrent } from './layout.js';
import type { ReleaseManifest } from './manifest.js';
import { type LatestRelease, Updater, type UpdaterDeps } from './updater.js';

let prefix: string;
let downloads: string;

function manifestOf(version: string): ReleaseManifest {
  return {
    format: 1,
    name: 'printos',
    version,
    archive: `printos-${version}.tar.gz`,
    size: 5,
    sha256: 'a'.repeat(64),
    notes: `What is new in ${version}`,
    createdAt: '2026-11-27T10:00:00.000Z',
    target: { platform: 'linux', arch: 'x64', nodeAbi: '115' },
  };
}

function release(version: string): LatestRelease {
  return {
    manifest: Buffer.from(JSON.stringify(manifestOf(version))),
    signature: 'sig',
    archiveUrl: 'http://127.0.0.1:1/releases/x',
  };
}

beforeEach(async () => {
  prefix = await mkdtemp(join(tmpdir(), 'printos-updater-'));
  downloads = join(prefix, 'downloads');
  await mkdir(join(prefix, 'versions', '1.0.0'), { recursive: true });
  await writeFile(join(prefix, 'versions', '1.0.0', 'package.json'), '{}');
  await switchCurrent(prefix, '1.0.0');
});

afterEach(async () => {
  await rm(prefix, { recursive: true, force: true });
});

function updater(overrides: Partial<UpdaterDeps> = {}) {
  let busy: string | null = null;
  const restart = vi.fn();
  const deps: UpdaterDeps = {
    currentVersion: '1.0.0',
    install: { prefix, version: '1.0.0' },
    supervised: true,
    publicKey: async () => 'key',
    fetchLatest: async () => release('1.1.0'),
    download: async (_url, dir, _size, onProgress) => {
      await mkdir(dir, { recursive: true });
      const path = join(dir, 'archive');
      await writeFile(path, 'bytes');
      onProgress(5);
      return path;
    },
    downloadsDir: downloads,
    unpack: async (_archive, dest) => {
      await writeFile(join(dest, 'package.json'), '{"version":"1.1.0"}');
    },
    verifier: {
      verifyRelease: ({ manifestBytes, signature, currentVersion: running }) => {
        if (signature !== 'sig') throw new PrintosError('UPDATE_BAD_SIGNATURE', 'bad signature');
        const manifest = JSON.parse(manifestBytes.toString()) as ReleaseManifest;
        if (manifest.version <= running) {
          throw new PrintosError('UPDATE_DOWNGRADE', `${manifest.version} is not newer`);
        }
        return manifest;
      },
      verifyArchive: async () => {},
    },
    busyReason: () => busy,
    requestRestart: restart,
    log: silentLogger(),
    enabled: false,
    intervalMs: 3_600_000,
    idlePollMs: 10,
    ...overrides,
  };
  return {
    updater: new Updater(deps),
    restart,
    setBusy: (value: string | null) => {
      busy = value;
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

describe('Updater.check', () => {
  it.each([
    ['a newer signed release', () => release('1.1.0'), 'available', '1.1.0', null],
    ['nothing published', () => null, 'idle', null, null],
    ['the running version', () => release('1.0.0'), 'idle', null, null],
    ['an older version', () => release('0.9.0'), 'failed', null, 'UPDATE_DOWNGRADE'],
    [
      'a bad signature',
      () => ({ ...release('1.1.0'), signature: 'forged' }),
      'failed',
      null,
      'UPDATE_BAD_SIGNATURE',
    ],
  ])('%s', async (_name, latest, phase, version, code) => {
    const { updater: u } = updater({ fetchLatest: async () => latest() });
    const status = await u.check();
    expect(status.phase).toBe(phase);
    expect(status.available?.version ?? null).toBe(version);
    expect(status.error?.code ?? null).toBe(code);
  });

  it('refuses to offer anything when this copy ships no release key', async () => {
    const { updater: u } = updater({
      publicKey: async () => {
        throw new PrintosError('UPDATE_UNSIGNED', 'This copy ships no release key.');
      },
    });
    const status = await u.check();
    expect(status.error?.code).toBe('UPDATE_UNSIGNED');
    expect(status.available).toBeNull();
  });
});

describe('Updater.apply', () => {
  it('installs beside the running version, switches current, records a trial, restarts', async () => {
    const { updater: u, restart } = updater();
    await u.apply();
    await until(() => restart.mock.calls.length === 1);
    expect(await currentVersion(prefix)).toBe('1.1.0');
    expect(existsSync(join(prefix, 'versions', '1.0.0', 'package.json'))).toBe(true);
    expect(await readFile(join(prefix, 'versions', '1.1.0', 'package.json'), 'utf8')).toContain(
      '1.1.0',
    );
    expect((await readUpdateState(prefix)).trial).toMatchObject({ from: '1.0.0', to: '1.1.0' });
    expect(u.status().phase).toBe('restarting');
    expect(existsSync(join(downloads, 'archive'))).toBe(false);
  });

  it('leaves everything as it was when the archive does not match the manifest', async () => {
    const { updater: u, restart } = updater({
      verifier: {
        verifyRelease: ({ manifestBytes }) =>
          JSON.parse(manifestBytes.toString()) as ReleaseManifest,
        verifyArchive: async () => {
          throw new PrintosError(
            'UPDATE_TAMPERED',
            'The archive does not match; nothing installed.',
          );
        },
      },
    });
    await u.apply();
    await until(() => u.status().phase === 'failed');
    expect(u.status().error?.code).toBe('UPDATE_TAMPERED');
    expect(restart).not.toHaveBeenCalled();
    expect(await currentVersion(prefix)).toBe('1.0.0');
    expect(existsSync(join(prefix, 'versions', '1.1.0'))).toBe(false);
    expect((await readUpdateState(prefix)).trial).toBeNull();
  });

  it('refuses during a print and says why', async () => {
    const { updater: u, setBusy, restart } = updater();
    setBusy('Prusa is printing');
    const refused = await u.apply().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PrintosError);
    expect((refused as PrintosError).code).toBe('PRINTER_BUSY');
    expect((refused as PrintosError).message).toContain('Prusa is printing');
    expect(restart).not.toHaveBeenCalled();
  });

  it('waits for the printers to be idle when asked to, then installs', async () => {
    const { updater: u, setBusy, restart } = updater();
    setBusy('Prusa is printing');
    const status = await u.apply({ whenIdle: true });
    expect(status.phase).toBe('waiting-for-idle');
    await new Promise((r) => setTimeout(r, 50));
    expect(restart).not.toHaveBeenCalled();
    setBusy(null);
    await until(() => restart.mock.calls.length === 1);
    expect(await currentVersion(prefix)).toBe('1.1.0');
    u.stop();
  });

  it.each([
    ['a source checkout', { install: null }, 'source checkout'],
    ['no supervisor', { supervised: false }, 'supervised service'],
  ])('says an update cannot be installed from %s', async (_name, overrides, words) => {
    const { updater: u } = updater(overrides);
    const refused = (await u.apply().catch((err: unknown) => err)) as PrintosError;
    expect(refused.code).toBe('UPDATE_NOT_INSTALLED');
    expect(refused.message).toContain(words);
  });
});
