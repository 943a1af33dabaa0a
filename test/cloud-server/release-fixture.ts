/** A small fake release directory: a real tar.gz, a manifest from the schema, 64 random signature bytes. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { create } from 'tar';
import {
  archiveName,
  RELEASE_FILES,
  type ReleaseManifest,
  releaseManifestSchema,
} from '../../src/update/manifest.js';

export interface FakeRelease {
  dir: string;
  manifest: ReleaseManifest;
  archive: Buffer;
  signature: string;
}

/** Builds <root>/<name>/ with manifest.json, manifest.sig and printos-<version>.tar.gz. */
export async function makeRelease(
  root: string,
  version: string,
  options: { name?: string; notes?: string; payload?: Buffer } = {},
): Promise<FakeRelease> {
  const dir = join(root, options.name ?? `release-${version}`);
  const tree = join(dir, '.tree');
  mkdirSync(join(tree, 'package', 'dist'), { recursive: true });
  writeFileSync(
    join(tree, 'package', 'package.json'),
    JSON.stringify({ name: 'printos', version }),
  );
  // Random bytes do not compress: the archive is a few KB, enough for ranges to mean something.
  writeFileSync(join(tree, 'package', 'dist', 'blob.bin'), options.payload ?? randomBytes(6000));
  const archivePath = join(dir, archiveName(version));
  await create({ gzip: true, file: archivePath, cwd: tree, portable: true }, ['package']);
  const archive = readFileSync(archivePath);
  const manifest = releaseManifestSchema.parse({
    format: 1,
    name: 'printos',
    version,
    archive: archiveName(version),
    size: archive.length,
    sha256: createHash('sha256').update(archive).digest('hex'),
    notes: options.notes ?? `Release ${version}: fixes.`,
    createdAt: '2025-01-01T00:00:00.000Z',
    target: { platform: 'linux', arch: 'x64', nodeAbi: '115' },
  });
  writeFileSync(join(dir, RELEASE_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  const signature = randomBytes(64).toString('base64');
  writeFileSync(join(dir, RELEASE_FILES.signature), `${signature}\n`);
  return { dir, manifest, archive, signature };
}
