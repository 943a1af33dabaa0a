/**
 * The files of a release directory, checked as far as the cloud can: the manifest parses,
 * the signature is base64 of 64 bytes, the archive exists and its size and SHA-256 match
 * the manifest. The signature itself is the client's to judge (against its own key): the
 * cloud never holds the key. Staging copies the files into a temporary directory, hashing
 * the archive on the way, so what is served is exactly what was checked.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PrintosError } from '../../core/errors.js';
import { hashMeter } from '../../core/hash-meter.js';
import {
  MAX_MANIFEST_BYTES,
  parseManifest,
  RELEASE_FILES,
  type ReleaseManifest,
} from '../../update/manifest.js';

export interface SourceRelease {
  manifest: ReleaseManifest;
  /** The exact bytes the signature covers. */
  manifestBytes: Buffer;
  /** Base64 of the 64-byte Ed25519 signature, without surrounding white space. */
  signature: string;
  archivePath: string;
}

/** Base64 of exactly 64 bytes: 86 characters and "==" padding. */
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;
const MAX_SIGNATURE_BYTES = 1024;
const STAGING_PREFIX = '.publish-';
/** A staging directory older than this was left by a publish that died. */
const STALE_STAGING_MS = 60 * 60_000;

const LAYOUT =
  'a release directory holds manifest.json, manifest.sig and printos-<version>.tar.gz (made by `printos release`)';

export function parseSignature(text: string): string {
  const trimmed = text.trim();
  if (!SIGNATURE.test(trimmed)) {
    throw new PrintosError(
      'UPDATE_INVALID',
      `${RELEASE_FILES.signature} is not the base64 of a 64-byte Ed25519 signature.`,
    );
  }
  return trimmed;
}

/** Reads and checks a release directory; throws a PrintosError saying what is wrong. */
export async function readReleaseDir(dir: string): Promise<SourceRelease> {
  const manifestPath = join(dir, RELEASE_FILES.manifest);
  const manifestSize = await fileSize(
    manifestPath,
    'FILE_NOT_FOUND',
    `There is no ${RELEASE_FILES.manifest} in ${dir}: ${LAYOUT}.`,
  );
  if (manifestSize > MAX_MANIFEST_BYTES) {
    throw new PrintosError('UPDATE_INVALID', `${manifestPath} is too large for a manifest.`);
  }
  const manifestBytes = await readFile(manifestPath);
  const manifest = parseManifest(manifestBytes);
  // It is served as JSON text: bytes that do not survive a UTF-8 round trip would reach
  // the client changed, and the signature would no longer match them.
  if (!Buffer.from(manifestBytes.toString('utf8'), 'utf8').equals(manifestBytes)) {
    throw new PrintosError('UPDATE_INVALID', `${manifestPath} is not valid UTF-8.`);
  }
  const signaturePath = join(dir, RELEASE_FILES.signature);
  const signatureSize = await fileSize(
    signaturePath,
    'UPDATE_UNSIGNED',
    `There is no ${RELEASE_FILES.signature} in ${dir}: an unsigned release is never published.`,
  );
  // A signature is 88 characters; a large file is not one (and is not read into memory).
  const signature = parseSignature(
    signatureSize > MAX_SIGNATURE_BYTES ? '' : await readFile(signaturePath, 'utf8'),
  );
  const archivePath = join(dir, manifest.archive);
  const size = await fileSize(
    archivePath,
    'FILE_NOT_FOUND',
    `There is no ${manifest.archive} in ${dir}: ${LAYOUT}.`,
  );
  if (size !== manifest.size) {
    throw new PrintosError(
      'UPDATE_TAMPERED',
      `${manifest.archive} is ${size} bytes but the manifest says ${manifest.size}: the archive does not belong to this manifest.`,
    );
  }
  return { manifest, manifestBytes, signature, archivePath };
}

async function fileSize(
  path: string,
  missing: 'FILE_NOT_FOUND' | 'UPDATE_UNSIGNED',
  message: string,
): Promise<number> {
  const info = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new PrintosError(missing, message);
    throw new PrintosError('FILE_INVALID', `Cannot read ${path}: ${err.message}`);
  });
  if (!info.isFile()) throw new PrintosError('FILE_INVALID', `${path} is not a regular file.`);
  return info.size;
}

/**
 * Copies the release into a new staging directory under `releasesDir` and answers its
 * path. The archive is hashed while it is copied: a mismatch removes the copy.
 */
export async function stageRelease(releasesDir: string, source: SourceRelease): Promise<string> {
  const staging = join(releasesDir, `${STAGING_PREFIX}${randomBytes(8).toString('hex')}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    await writeSynced(join(staging, RELEASE_FILES.manifest), source.manifestBytes);
    await writeSynced(join(staging, RELEASE_FILES.signature), `${source.signature}\n`);
    const copied = await copyHashed(source.archivePath, join(staging, source.manifest.archive));
    if (copied.size !== source.manifest.size || copied.sha256 !== source.manifest.sha256) {
      throw new PrintosError(
        'UPDATE_TAMPERED',
        `${source.manifest.archive} does not match the manifest (size ${copied.size}, SHA-256 ${copied.sha256}; the manifest says size ${source.manifest.size}, SHA-256 ${source.manifest.sha256}).`,
      );
    }
    return staging;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

async function writeSynced(path: string, data: string | Buffer): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function copyHashed(from: string, to: string): Promise<{ size: number; sha256: string }> {
  const meter = hashMeter();
  await pipeline(
    createReadStream(from),
    meter.stream,
    createWriteStream(to, { flags: 'wx', mode: 0o600 }),
  );
  // A FileHandle's own write stream keeps it busy (close() would wait): flush by a second open.
  const handle = await open(to, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return meter.result();
}

/** Removes staging directories that a crashed publish left behind (never a fresh one). */
export async function removeStaleStaging(releasesDir: string, now: number): Promise<void> {
  for (const name of await readdir(releasesDir)) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const path = join(releasesDir, name);
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_STAGING_MS) {
      await rm(path, { recursive: true, force: true });
    }
  }
}
