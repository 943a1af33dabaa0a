/**
 * Whether a release may be installed: signed by the key this copy trusts, newer than the
 * running version, built for this machine, and its archive exactly the one the manifest
 * names. Every refusal says what was wrong and that nothing was installed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import semver from 'semver';
import { PrintosError } from '../core/errors.js';
import { currentTarget, parseManifest, type ReleaseManifest } from './manifest.js';
import { verifyManifestSignature } from './signing.js';

const NOTHING_INSTALLED = 'nothing was installed';

export interface VerifyReleaseInput {
  /** manifest.json exactly as received: the signature covers these bytes. */
  manifestBytes: Buffer;
  /** manifest.sig's text (base64); missing or empty means unsigned. */
  signature: string | undefined;
  publicKeyPem: string;
  currentVersion: string;
  /** The machine's target; this process's by default. */
  target?: ReleaseManifest['target'];
}

/**
 * Checks in an order that never trusts unsigned bytes: the signature first (before the
 * JSON is even parsed), then the manifest's shape, then the version, then the target.
 */
export function verifyRelease(input: VerifyReleaseInput): ReleaseManifest {
  const signature = input.signature?.trim() ?? '';
  if (signature === '') {
    throw new PrintosError(
      'UPDATE_UNSIGNED',
      `The release has no signature (manifest.sig); printos installs only signed releases, ${NOTHING_INSTALLED}.`,
    );
  }
  if (!verifyManifestSignature(input.manifestBytes, signature, input.publicKeyPem)) {
    throw new PrintosError(
      'UPDATE_BAD_SIGNATURE',
      `The release's signature does not match the release key this copy trusts (release-key.pem): it was altered or signed by someone else; ${NOTHING_INSTALLED}.`,
    );
  }
  const manifest = parseSigned(input.manifestBytes);
  checkNewer(manifest.version, input.currentVersion);
  checkTarget(manifest, input.target ?? currentTarget());
  return manifest;
}

/**
 * Checks that the archive at `path` is the one the signed manifest describes: its size
 * first (cheap, and catches a truncated download), then its SHA-256, read as a stream.
 */
export async function verifyArchive(path: string, manifest: ReleaseManifest): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new PrintosError(
      'UPDATE_INVALID',
      `The release archive ${path} cannot be read (${describe(err)}); ${NOTHING_INSTALLED}.`,
      { path },
    );
  }
  if (size !== manifest.size) {
    throw new PrintosError(
      'UPDATE_TAMPERED',
      `The release archive is ${size} bytes, the signed manifest says ${manifest.size}: it is not the signed release; ${NOTHING_INSTALLED}.`,
      { path, size, expected: manifest.size },
    );
  }
  const sha256 = await sha256File(path);
  if (sha256 !== manifest.sha256) {
    throw new PrintosError(
      'UPDATE_TAMPERED',
      `The release archive's SHA-256 does not match the signed manifest: it was altered or corrupted; ${NOTHING_INSTALLED}.`,
      { path, sha256, expected: manifest.sha256 },
    );
  }
}

/** The lowercase hex SHA-256 of a file, read as a stream (archives are tens of MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function parseSigned(bytes: Buffer): ReleaseManifest {
  try {
    return parseManifest(bytes);
  } catch (err) {
    if (err instanceof PrintosError) {
      throw new PrintosError(err.code, `${err.message.replace(/\.$/, '')}; ${NOTHING_INSTALLED}.`);
    }
    throw err;
  }
}

function checkNewer(version: string, running: string): void {
  if (semver.valid(running) === null) {
    throw new PrintosError(
      'UPDATE_INVALID',
      `The running version "${running}" is not a semantic version, so no release can be compared with it; ${NOTHING_INSTALLED}.`,
    );
  }
  if (!semver.gt(version, running)) {
    throw new PrintosError(
      'UPDATE_DOWNGRADE',
      `${version} is not newer than the running ${running}; printos never downgrades, ${NOTHING_INSTALLED}.`,
      { version, running },
    );
  }
}

function checkTarget(manifest: ReleaseManifest, target: ReleaseManifest['target']): void {
  const wanted = manifest.target;
  if (
    wanted.platform === target.platform &&
    wanted.arch === target.arch &&
    wanted.nodeAbi === target.nodeAbi
  ) {
    return;
  }
  throw new PrintosError(
    'UPDATE_INCOMPATIBLE',
    `The release ${manifest.version} was built for ${describeTarget(wanted)}, this machine is ${describeTarget(target)}; its native modules would not load, ${NOTHING_INSTALLED}.`,
    { release: wanted, machine: target },
  );
}

function describeTarget(t: ReleaseManifest['target']): string {
  return `${t.platform}/${t.arch} with Node module ABI ${t.nodeAbi}`;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
