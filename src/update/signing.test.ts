import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  generateReleaseKeys,
  publicKeyOf,
  readPrivateKey,
  signManifest,
  trustedPublicKey,
  verifyManifestSignature,
} from './signing.js';

const keys = generateReleaseKeys();
const other = generateReleaseKeys();
const bytes = Buffer.from('{"format":1,"version":"1.2.3"}\n');
const signature = signManifest(bytes, keys.privateKeyPem);

function flipChar(text: string, at: number): string {
  const c = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + c + text.slice(at + 1);
}

describe('verifyManifestSignature', () => {
  const tampered = Buffer.from(bytes);
  tampered[5] = (tampered[5] ?? 0) ^ 1;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const table: Array<[string, Buffer, string, string, boolean]> = [
    ['the signed bytes', bytes, signature, keys.publicKeyPem, true],
    ['with a trailing newline in the .sig file', bytes, `${signature}\n`, keys.publicKeyPem, true],
    ['a tampered byte', tampered, signature, keys.publicKeyPem, false],
    [
      'one more byte',
      Buffer.concat([bytes, Buffer.from(' ')]),
      signature,
      keys.publicKeyPem,
      false,
    ],
    ['another key', bytes, signature, other.publicKeyPem, false],
    ['an empty signature', bytes, '', keys.publicKeyPem, false],
    ['a changed signature', bytes, flipChar(signature, 10), keys.publicKeyPem, false],
    ['a short signature', bytes, signature.slice(0, 40), keys.publicKeyPem, false],
    ['a signature with junk', bytes, `${signature.slice(0, 80)}!!!!!!==`, keys.publicKeyPem, false],
    ['not base64', bytes, 'not a signature at all', keys.publicKeyPem, false],
    [
      'a malformed PEM',
      bytes,
      signature,
      '-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----\n',
      false,
    ],
    ['an empty key', bytes, signature, '', false],
    ['the private key as public key', bytes, signature, keys.privateKeyPem, true],
    ['an RSA key', bytes, signature, rsa, false],
  ];
  it.each(table)('%s', (_name, data, sig, pem, expected) => {
    expect(verifyManifestSignature(data, sig, pem)).toBe(expected);
  });
});

describe('keys', () => {
  it('generates SPKI and PKCS8 PEM, a fresh pair each time', () => {
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(other.publicKeyPem).not.toBe(keys.publicKeyPem);
    expect(publicKeyOf(keys.privateKeyPem)).toBe(keys.publicKeyPem);
  });

  it('refuses to sign with a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => signManifest(bytes, rsa)).toThrow(/rsa key; releases are signed with Ed25519/);
    expect(() => signManifest(bytes, 'nope')).toThrow(/not a PEM private key/);
  });
});

describe('key files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'printos-keys-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a private key only when no one else can', async () => {
    const path = join(dir, 'release-private.pem');
    await writeFile(path, keys.privateKeyPem, { mode: 0o600 });
    await chmod(path, 0o600);
    expect(await readPrivateKey(path)).toBe(keys.privateKeyPem);
    await chmod(path, 0o640);
    await expect(readPrivateKey(path)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(`chmod 600 ${path}`),
    });
    await chmod(path, 0o604);
    await expect(readPrivateKey(path)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a missing key, a public key and a non-Ed25519 key', async () => {
    await expect(readPrivateKey(join(dir, 'none.pem'))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('no such file'),
    });
    const pub = join(dir, 'pub.pem');
    await writeFile(pub, keys.publicKeyPem, { mode: 0o600 });
    await expect(readPrivateKey(pub)).rejects.toThrow(/not a PEM private key/);
    const ec = join(dir, 'ec.pem');
    const ecKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    await writeFile(ec, ecKey, { mode: 0o600 });
    await expect(readPrivateKey(ec)).rejects.toThrow(/ec key; releases are signed with Ed25519/);
  });

  it('trusts release-key.pem at the package root, and says so clearly when it is missing', async () => {
    await expect(trustedPublicKey(dir)).rejects.toMatchObject({
      code: 'UPDATE_UNSIGNED',
      message: expect.stringContaining('this copy ships no release key'.replace('this', 'This')),
    });
    await writeFile(join(dir, 'release-key.pem'), 'garbage');
    await expect(trustedPublicKey(dir)).rejects.toMatchObject({ code: 'UPDATE_UNSIGNED' });
    await writeFile(join(dir, 'release-key.pem'), keys.publicKeyPem);
    expect(await trustedPublicKey(dir)).toBe(keys.publicKeyPem);
  });

  it('the project ships an Ed25519 release key', async () => {
    const root = join(import.meta.dirname, '..', '..');
    expect(await trustedPublicKey(root)).toMatch(/BEGIN PUBLIC KEY/);
  });
});
