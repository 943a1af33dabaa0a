/**
 * Ed25519 release signatures. A maintainer signs the exact bytes of manifest.json with
 * the offline private key; every client checks them against the one public key its own
 * copy ships (release-key.pem at the package root), so a cloud or a mirror that serves a
 * release cannot change it.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PrintosError } from '../core/errors.js';
import { errorCode } from '../core/files.js';

/** The public key a copy of printos trusts, at its package root. */
export const RELEASE_KEY_FILE = 'release-key.pem';

/** An Ed25519 signature is 64 bytes: 88 base64 characters with padding. */
const SIGNATURE_BYTES = 64;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface ReleaseKeys {
  publicKeyPem: string;
  privateKeyPem: string;
}

export function generateReleaseKeys(): ReleaseKeys {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Signs manifest bytes; the answer is the base64 text of manifest.sig. */
export function signManifest(bytes: Buffer, privateKeyPem: string): string {
  return sign(null, bytes, ed25519PrivateKey(privateKeyPem, 'The signing key')).toString('base64');
}

/**
 * True only when `signatureBase64` is a valid Ed25519 signature of exactly `bytes` by the
 * key in `publicKeyPem`. Anything malformed (key, signature, encoding) is false: the
 * caller treats "cannot check" and "does not match" alike, so this never throws.
 */
export function verifyManifestSignature(
  bytes: Buffer,
  signatureBase64: string,
  publicKeyPem: string,
): boolean {
  try {
    const text = signatureBase64.trim();
    if (!BASE64.test(text)) return false;
    const signature = Buffer.from(text, 'base64');
    // Buffer.from ignores what it cannot decode; a re-encoding must give the same text.
    if (signature.length !== SIGNATURE_BYTES || signature.toString('base64') !== text) return false;
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, bytes, key, signature);
  } catch {
    return false;
  }
}

/** The public half of a private key, as SPKI PEM (to compare with a shipped release-key.pem). */
export function publicKeyOf(privateKeyPem: string): string {
  const key = ed25519PrivateKey(privateKeyPem, 'The signing key');
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Reads a release private key, refusing one that others can read (a signing key that
 * leaked lets anyone ship code to every printer) or that is not Ed25519.
 */
export async function readPrivateKey(path: string): Promise<string> {
  let mode: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a file');
    mode = info.mode;
  } catch (err) {
    const why = errorCode(err) === 'ENOENT' ? 'no such file' : describe(err);
    throw new PrintosError('INVALID_ARGUMENT', `Cannot read the release key ${path}: ${why}.`, {
      path,
    });
  }
  if ((mode & 0o077) !== 0) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `The release key ${path} is readable by other users (mode ${(mode & 0o777).toString(8)}); ` +
        `a signing key must be private: run chmod 600 ${path}.`,
      { path },
    );
  }
  const pem = await readFile(path, 'utf8');
  ed25519PrivateKey(pem, `The release key ${path}`);
  return pem;
}

/**
 * The public key this copy of printos trusts for updates: `<packageRoot>/release-key.pem`.
 * Without it no release can be verified, so nothing may be installed.
 */
export async function trustedPublicKey(packageRoot: string): Promise<string> {
  const path = join(packageRoot, RELEASE_KEY_FILE);
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    const why = errorCode(err) === 'ENOENT' ? 'missing' : describe(err);
    throw new PrintosError(
      'UPDATE_UNSIGNED',
      `This copy ships no release key (${path}: ${why}); updates cannot be verified, so none is installed.`,
      { path },
    );
  }
  if (!isEd25519PublicKey(pem)) {
    throw new PrintosError(
      'UPDATE_UNSIGNED',
      `${path} is not an Ed25519 public key; updates cannot be verified, so none is installed.`,
      { path },
    );
  }
  return pem;
}

function isEd25519PublicKey(pem: string): boolean {
  try {
    return createPublicKey(pem).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

function ed25519PrivateKey(pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new PrintosError('INVALID_ARGUMENT', `${what} is not a PEM private key.`);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `${what} is a ${key.asymmetricKeyType ?? 'unknown'} key; releases are signed with Ed25519 (printos release keygen).`,
    );
  }
  return key;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
