/**
 * The release manifest: what a release is (version, archive, size, SHA-256, notes, the
 * platform its native modules were built for). Its exact bytes are what the Ed25519
 * signature covers, so it is parsed from bytes and never re-serialised for checking.
 *
 * A release directory holds three files:
 *   manifest.json            the manifest (these bytes are signed)
 *   manifest.sig             base64 Ed25519 signature of manifest.json's bytes
 *   printos-<version>.tar.gz the archive (package root: package.json, bin/, dist/,
 *                            node_modules/, release-key.pem, packaging/)
 */
import { z } from 'zod';
import { PrintosError } from '../core/errors.js';

export const RELEASE_FILES = {
  manifest: 'manifest.json',
  signature: 'manifest.sig',
} as const;

/** Largest manifest accepted (it is a few hundred bytes; release notes included). */
export const MAX_MANIFEST_BYTES = 64 * 1024;

/** Plain semantic versions only: 1.2.3 or 1.2.3-rc.1 (no build metadata, no "v"). */
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]{1,40})?$/;

export const releaseManifestSchema = z.strictObject({
  format: z.literal(1),
  name: z.literal('printos'),
  version: z.string().regex(VERSION, 'a semantic version such as 1.2.3'),
  /** The archive's file name, beside the manifest: never a path. */
  archive: z.string().regex(/^printos-[0-9A-Za-z.-]{1,60}\.tar\.gz$/, 'printos-<version>.tar.gz'),
  size: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits'),
  notes: z.string().max(16_000),
  createdAt: z.iso.datetime(),
  /** The archive carries native modules built for this target. */
  target: z.strictObject({
    platform: z.string().min(1).max(20),
    arch: z.string().min(1).max(20),
    /** process.versions.modules of the Node that built it. */
    nodeAbi: z.string().regex(/^\d{1,4}$/),
  }),
});

export type ReleaseManifest = z.infer<typeof releaseManifestSchema>;

/** Parses manifest bytes; anything else than a valid manifest is UPDATE_INVALID. */
export function parseManifest(bytes: Buffer): ReleaseManifest {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    throw new PrintosError('UPDATE_INVALID', 'The release manifest is too large.');
  }
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new PrintosError('UPDATE_INVALID', 'The release manifest is not JSON.');
  }
  const parsed = releaseManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'manifest';
    throw new PrintosError(
      'UPDATE_INVALID',
      `The release manifest is invalid: ${where}: ${issue?.message ?? 'invalid'}.`,
    );
  }
  if (parsed.data.archive !== archiveName(parsed.data.version)) {
    throw new PrintosError(
      'UPDATE_INVALID',
      `The release manifest names archive ${parsed.data.archive}, expected ${archiveName(parsed.data.version)}.`,
    );
  }
  return parsed.data;
}

export function archiveName(version: string): string {
  return `printos-${version}.tar.gz`;
}

/** The target this running client can install: same OS, CPU and Node module ABI. */
export function currentTarget(): ReleaseManifest['target'] {
  return { platform: process.platform, arch: process.arch, nodeAbi: process.versions.modules };
}
