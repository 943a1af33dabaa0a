import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import type { ReleaseManifest } from './manifest.js';
import { generateReleaseKeys, signManifest } from './signing.js';
import { verifyArchive, verifyRelease } from './verify-release.js';

const keys = generateReleaseKeys();
const other = generateReleaseKeys();
const target = { platform: 'linux', arch: 'arm64', nodeAbi: '115' };

function manifest(over: Partial<ReleaseManifest> = {}): ReleaseManifest {
  const version = over.version ?? '0.2.0';
  return {
    format: 1,
    name: 'printos',
    version,
    archive: `printos-${version}.tar.gz`,
    size: 5,
    sha256: createHash('sha256').update('hello').digest('hex'),
    notes: 'Fixes.',
    createdAt: '2026-11-27T12:00:00.000Z',
    target,
    ...over,
  };
}

function signed(
  m: unknown,
  key = keys.privateKeyPem,
): { manifestBytes: Buffer; signature: string } {
  const manifestBytes = Buffer.from(`${JSON.stringify(m, null, 2)}\n`);
  return { manifestBytes, signature: signManifest(manifestBytes, key) };
}

function attempt(
  input: Partial<Parameters<typeof verifyRelease>[0]>,
): PrintosError | ReleaseManifest {
  try {
    return verifyRelease({
      ...signed(manifest()),
      publicKeyPem: keys.publicKeyPem,
      currentVersion: '0.1.0',
      target,
      ...input,
    });
  } catch (err) {
    if (err instanceof PrintosError) return err;
    throw err;
  }
}

describe('verifyRelease', () => {
  it('accepts a signed, newer release for this machine', () => {
    expect(attempt({})).toMatchObject({ version: '0.2.0', notes: 'Fixes.' });
    expect(attempt({ ...signed(manifest({ version: '0.1.1-rc.1' })) })).toMatchObject({
      version: '0.1.1-rc.1',
    });
  });

  const notJson = Buffer.from('this is not json');
  const tampered = signed(manifest());
  const tamperedBytes = Buffer.from(tampered.manifestBytes.toString().replace('0.2.0', '0.3.0'));
  // Refusals, in the order they are checked: each row would also fail every later check.
  const table: Array<[string, Partial<Parameters<typeof verifyRelease>[0]>, string, RegExp]> = [
    [
      'no signature',
      { signature: undefined, manifestBytes: notJson },
      'UPDATE_UNSIGNED',
      /no signature/,
    ],
    [
      'an empty signature',
      { signature: '  \n', manifestBytes: notJson },
      'UPDATE_UNSIGNED',
      /no signature/,
    ],
    [
      'garbage signed by nobody',
      { signature: 'AAAA', manifestBytes: notJson },
      'UPDATE_BAD_SIGNATURE',
      /does not match/,
    ],
    [
      'a changed manifest',
      { ...tampered, manifestBytes: tamperedBytes },
      'UPDATE_BAD_SIGNATURE',
      /altered or signed by someone else/,
    ],
    [
      'another key',
      { ...signed(manifest({ version: '0.0.1' }), other.privateKeyPem) },
      'UPDATE_BAD_SIGNATURE',
      /release-key\.pem/,
    ],
    [
      'signed non-JSON',
      { manifestBytes: notJson, signature: signManifest(notJson, keys.privateKeyPem) },
      'UPDATE_INVALID',
      /not JSON/,
    ],
    [
      'a signed manifest of the wrong shape',
      { ...signed({ ...manifest({ version: '0.0.1' }), extra: 1 }) },
      'UPDATE_INVALID',
      /invalid/,
    ],
    [
      'the running version',
      { ...signed(manifest({ version: '0.1.0', target: { ...target, arch: 'x' } })) },
      'UPDATE_DOWNGRADE',
      /0\.1\.0 is not newer than the running 0\.1\.0/,
    ],
    [
      'an older version',
      { ...signed(manifest({ version: '0.1.0' })), currentVersion: '0.2.0' },
      'UPDATE_DOWNGRADE',
      /^0\.1\.0 is not newer than the running 0\.2\.0; printos never downgrades/,
    ],
    [
      'a pre-release of the running version',
      { ...signed(manifest({ version: '0.1.0-rc.1' })) },
      'UPDATE_DOWNGRADE',
      /never downgrades/,
    ],
    [
      'another architecture',
      { ...signed(manifest({ target: { ...target, arch: 'x64' } })) },
      'UPDATE_INCOMPATIBLE',
      /built for linux\/x64 .* this machine is linux\/arm64/,
    ],
    [
      'another Node ABI',
      { ...signed(manifest({ target: { ...target, nodeAbi: '127' } })) },
      'UPDATE_INCOMPATIBLE',
      /ABI 127/,
    ],
    [
      'a running version that is not semver',
      { currentVersion: 'unknown' },
      'UPDATE_INVALID',
      /not a semantic version/,
    ],
  ];
  it.each(table)('refuses %s', (_name, input, code, message) => {
    const result = attempt(input);
    expect(result).toBeInstanceOf(PrintosError);
    expect(result).toMatchObject({ code, message: expect.stringMatching(message) });
    expect((result as PrintosError).message).toMatch(/nothing was installed\.$/);
  });
});

describe('verifyArchive', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'printos-verify-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const table: Array<[string, string | null, string | null]> = [
    ['the signed archive', 'hello', null],
    ['a changed byte', 'hellp', 'UPDATE_TAMPERED'],
    ['a truncated archive', 'hell', 'UPDATE_TAMPERED'],
    ['a longer archive', 'hello!', 'UPDATE_TAMPERED'],
    ['a missing archive', null, 'UPDATE_INVALID'],
  ];
  it.each(table)('%s', async (name, content, code) => {
    const path = join(dir, `${name.replace(/\W/g, '-')}.tar.gz`);
    if (content !== null) await writeFile(path, content);
    const result = await verifyArchive(path, manifest()).catch((e: unknown) => e);
    if (code === null) {
      expect(result).toBeUndefined();
    } else {
      expect(result).toMatchObject({
        code,
        message: expect.stringContaining('nothing was installed'),
      });
    }
  });
});
