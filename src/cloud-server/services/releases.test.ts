import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { Store } from '../store/index.js';
import type { ReleaseRow } from '../store/releases.js';
import { parseSignature } from './release-files.js';
import { latestOf, ReleaseService } from './releases.js';

function row(version: string, withdrawn = false): ReleaseRow {
  return {
    id: 0,
    version,
    archive: `printos-${version}.tar.gz`,
    size: 1,
    sha256: '0'.repeat(64),
    notes: '',
    manifest: '{}',
    signature: '',
    published_at: 0,
    withdrawn_at: withdrawn ? 1 : null,
  };
}

describe('latestOf', () => {
  it.each([
    [['1.9.0', '1.10.0', '1.2.0'], '1.10.0'],
    [['1.0.0', '1.0.0-rc.2', '0.9.9'], '1.0.0'],
    [['1.0.0-rc.10', '1.0.0-rc.9'], '1.0.0-rc.10'],
    [['2.0.0-beta.1', '1.99.0'], '2.0.0-beta.1'],
    [[], undefined],
  ])('%j → %s', (versions, expected) => {
    expect(latestOf(versions.map((v) => row(v)))?.version).toBe(expected);
  });

  it('skips withdrawn releases', () => {
    expect(latestOf([row('2.0.0', true), row('1.0.0')])?.version).toBe('1.0.0');
    expect(latestOf([row('2.0.0', true)])).toBeUndefined();
  });
});

describe('parseSignature', () => {
  const good = Buffer.alloc(64, 7).toString('base64');
  it('accepts base64 of 64 bytes, trimmed', () => {
    expect(parseSignature(`  ${good}\n`)).toBe(good);
  });
  it.each([
    ['63 bytes', Buffer.alloc(63).toString('base64')],
    ['65 bytes', Buffer.alloc(65).toString('base64')],
    ['unpadded', good.replace(/=+$/, '')],
    ['url-safe alphabet', good.replace(/.{2}==$/, '-_==')],
    ['empty', ''],
  ])('refuses %s', (_what, text) => {
    expect(() => parseSignature(text)).toThrow(expect.objectContaining({ code: 'UPDATE_INVALID' }));
  });
});

describe('ReleaseService.archive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'printos-releases-'));
  const store = Store.open(join(dir, 'cloud.db'));
  afterAll(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  store.releases.add({ ...row('1.0.0'), published_at: 5 });
  const service = new ReleaseService({
    store,
    now: () => 0,
    log: silentLogger(),
    releasesDir: '/data/releases',
  });

  it('answers the stored file of a stored version', () => {
    expect(service.archive('1.0.0', 'printos-1.0.0.tar.gz').path).toBe(
      '/data/releases/1.0.0/printos-1.0.0.tar.gz',
    );
  });

  it.each([
    ['1.0.1', 'printos-1.0.1.tar.gz'],
    ['1.0.0', 'manifest.json'],
    ['1.0.0', '../printos-1.0.0.tar.gz'],
    ['../1.0.0', 'printos-1.0.0.tar.gz'],
    ['1.0.0/..', 'printos-1.0.0.tar.gz'],
    ['v1.0.0', 'printos-1.0.0.tar.gz'],
  ])('NOT_FOUND for %s / %s', (version, file) => {
    expect(() => service.archive(version, file)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
  });
});
