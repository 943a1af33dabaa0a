/**
 * Builds a signed release of a package root (what `printos release` runs): the archive,
 * then manifest.json describing it, then manifest.sig over the manifest's exact bytes.
 * The manifest is written after the archive and the signature last, so a directory
 * caught half-built is never a signed release.
 */
import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { PrintosError } from '../core/errors.js';
import { errorCode, removeFile, writeFileAtomic } from '../core/files.js';
import { packRelease } from './archive.js';
import {
  archiveName,
  currentTarget,
  parseManifest,
  RELEASE_FILES,
  type ReleaseManifest,
  releaseManifestSchema,
} from './manifest.js';
import { listPackageFiles } from './package-files.js';
import { publicKeyOf, RELEASE_KEY_FILE, signManifest, verifyManifestSignature } from './signing.js';
import { sha256File } from './verify-release.js';

export interface BuildReleaseOptions {
  /** The package root to release (package.json, bin/, dist/, node_modules/). */
  sourceRoot: string;
  privateKeyPem: string;
  outDir: string;
  /** Defaults to package.json's; otherwise written into the archived package.json only. */
  version?: string;
  notes?: string;
  /** The clock of createdAt (tests). */
  now?: () => Date;
}

export interface BuiltRelease {
  dir: string;
  manifest: ReleaseManifest;
  files: { archive: string; manifest: string; signature: string };
  /** False when the signing key is not the one the release ships: right only when rotating keys. */
  signedWithShippedKey: boolean;
}

const packageJsonSchema = z.looseObject({ name: z.string(), version: z.string() });
const MAX_NOTES = releaseManifestSchema.shape.notes.maxLength ?? 16_000;

export async function buildRelease(options: BuildReleaseOptions): Promise<BuiltRelease> {
  const root = resolve(options.sourceRoot);
  const pkg = await readPackageJson(root);
  const version = checkVersion(options.version ?? pkg.version);
  const notes = options.notes ?? '';
  if (notes.length > MAX_NOTES) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `Release notes are limited to ${MAX_NOTES} characters (these have ${notes.length}).`,
    );
  }
  const publicKeyPem = publicKeyOf(options.privateKeyPem);
  await checkBuildIsCurrent(root);
  const files = await listPackageFiles(root);
  const dir = resolve(options.outDir);
  checkOutsidePackedFolders(root, dir);
  await prepareOutDir(dir, version);
  const archive = join(dir, archiveName(version));
  const replace: Record<string, Buffer> =
    version === pkg.version ? {} : { 'package.json': withVersion(pkg.raw, version) };
  await packRelease(root, files, archive, { replace });

  const manifest: ReleaseManifest = {
    format: 1,
    name: 'printos',
    version,
    archive: archiveName(version),
    size: (await stat(archive)).size,
    sha256: await sha256File(archive),
    notes,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    target: currentTarget(),
  };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  parseManifest(bytes); // what clients will accept, checked before anything is signed
  const signature = signManifest(bytes, options.privateKeyPem);
  if (!verifyManifestSignature(bytes, signature, publicKeyPem)) {
    throw new PrintosError('INTERNAL', 'The new signature does not verify; nothing was signed.');
  }
  const manifestPath = join(dir, RELEASE_FILES.manifest);
  const signaturePath = join(dir, RELEASE_FILES.signature);
  await writeFileAtomic(manifestPath, bytes);
  await writeFileAtomic(signaturePath, `${signature}\n`);
  return {
    dir,
    manifest,
    files: { archive, manifest: manifestPath, signature: signaturePath },
    signedWithShippedKey: await shipsKey(root, publicKeyPem),
  };
}

/** The version of the package at `packageRoot` (a release may carry another than the checkout's). */
export async function clientVersion(packageRoot: string): Promise<string> {
  return (await readPackageJson(packageRoot)).version;
}

/** The nearest folder at or above `start` holding printos's package.json. */
export async function findPackageRoot(start: string): Promise<string> {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const pkg = await readPackageJson(dir).catch(() => null);
    if (pkg?.name === 'printos') return dir;
    if (dirname(dir) === dir) {
      throw new PrintosError('INTERNAL', `No printos package.json above ${start}.`);
    }
  }
}

async function readPackageJson(
  root: string,
): Promise<{ name: string; version: string; raw: Record<string, unknown> }> {
  const path = join(root, 'package.json');
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new PrintosError('INVALID_ARGUMENT', `Cannot read ${path}: ${describe(err)}.`, { path });
  }
  const parsed = packageJsonSchema.safeParse(raw);
  if (!parsed.success || parsed.data.name !== 'printos') {
    throw new PrintosError('INVALID_ARGUMENT', `${path} is not printos's package.json.`, { path });
  }
  return { name: parsed.data.name, version: parsed.data.version, raw: parsed.data };
}

function checkVersion(version: string): string {
  const parsed = releaseManifestSchema.shape.version.safeParse(version);
  if (!parsed.success) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `"${version}" is not a release version: use a semantic version such as 1.2.3 or 1.2.3-rc.1.`,
    );
  }
  return parsed.data;
}

function withVersion(pkg: Record<string, unknown>, version: string): Buffer {
  return Buffer.from(`${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
}

/** A release runs dist/: refuse one built before the last change to src/. */
async function checkBuildIsCurrent(root: string): Promise<void> {
  const main = join(root, 'dist', 'main.js');
  let built: number;
  try {
    built = (await stat(main)).mtimeMs;
  } catch {
    throw new PrintosError('INVALID_ARGUMENT', `${main} is missing; run npm run build first.`);
  }
  const src = join(root, 'src');
  if (!existsSync(src)) return;
  const newest = await newestFile(src);
  if (newest !== null && newest.mtimeMs > built) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `dist/ is older than ${newest.path} (changed after the last build); run npm run build first.`,
    );
  }
}

async function newestFile(dir: string): Promise<{ path: string; mtimeMs: number } | null> {
  let newest: { path: string; mtimeMs: number } | null = null;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory()
      ? await newestFile(path)
      : { path, mtimeMs: (await stat(path)).mtimeMs };
    if (found !== null && (newest === null || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}

/** An archive written into a folder that is packed would end up in the next release. */
function checkOutsidePackedFolders(root: string, dir: string): void {
  const [top] = relative(root, dir).split(sep);
  if (top !== undefined && ['bin', 'dist', 'node_modules', 'packaging'].includes(top)) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `${dir} is inside ${top}/, which goes into releases; write the release elsewhere.`,
    );
  }
}

/**
 * Creates outDir, or accepts an existing one unless it holds another release. Rebuilding
 * the same version first removes its signature and manifest, so an interrupted rebuild
 * leaves an unsigned directory, never a signature over a different archive.
 */
async function prepareOutDir(dir: string, version: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const held = await heldVersions(dir);
  const others = [...held].filter((v) => v !== version);
  if (others.length > 0) {
    throw new PrintosError(
      'CONFLICT',
      `${dir} already holds release ${others.join(', ')}; build ${version} into an empty directory.`,
      { dir },
    );
  }
  await removeFile(join(dir, RELEASE_FILES.signature));
  await removeFile(join(dir, RELEASE_FILES.manifest));
}

/** Versions of the release files in a directory ('unknown' for an unreadable manifest). */
async function heldVersions(dir: string): Promise<Set<string>> {
  const held = new Set<string>();
  for (const name of await readdir(dir)) {
    const archive = /^printos-(.+)\.tar\.gz$/.exec(name);
    if (archive?.[1] !== undefined) held.add(archive[1]);
  }
  try {
    const text = await readFile(join(dir, RELEASE_FILES.manifest), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    held.add(typeof version === 'string' ? version : 'unknown');
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') held.add('unknown');
  }
  if (existsSync(join(dir, RELEASE_FILES.signature)) && held.size === 0) held.add('unknown');
  return held;
}

/** Whether the release's own release-key.pem is the signing key's public half. */
async function shipsKey(root: string, publicKeyPem: string): Promise<boolean> {
  try {
    const der = (pem: string) => createPublicKey(pem).export({ type: 'spki', format: 'der' });
    return der(await readFile(join(root, RELEASE_KEY_FILE), 'utf8')).equals(der(publicKeyPem));
  } catch {
    return false;
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
