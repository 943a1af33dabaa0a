/**
 * The package root an install copies: by default the one this code runs from. A release
 * (no src/) is copied whole; a source checkout must be built (dist/ newer than src/), as
 * bin/printos.js would otherwise run the sources through tsx, which the copy lacks.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PrintosError } from '../../core/errors.js';
import type { SourcePackage } from './plan-install.js';

/** What a package root holds that the service needs (brief: the release's top level). */
export const PACKAGE_ENTRIES = [
  'package.json',
  'bin',
  'dist',
  'node_modules',
  'release-key.pem',
  'packaging',
  // The PAM helper's C source: install builds it as root (pam-helper.ts).
  'native',
  'README.md',
  'LICENSE',
] as const;

export interface SourceDeps {
  /**
   * The files of a checkout to copy (relative paths); the top-level entries above when not
   * given. A release is always copied by its top-level entries: it holds nothing else.
   */
  listFiles?: (root: string) => Promise<string[]>;
}

const packageJsonSchema = z.looseObject({ name: z.string(), version: z.string() });

export async function describeSource(root: string, deps: SourceDeps = {}): Promise<SourcePackage> {
  const pkg = await readPackageJson(root);
  if (pkg.name !== 'printos') {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `${root} is not a printos package (its name is "${pkg.name}")`,
    );
  }
  const state = await buildState(root);
  const entries =
    state === 'built' && deps.listFiles
      ? await deps.listFiles(root)
      : PACKAGE_ENTRIES.filter((name) => existsSync(join(root, name)));
  return { root, version: pkg.version, entries, state };
}

async function readPackageJson(root: string): Promise<z.infer<typeof packageJsonSchema>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  } catch (err) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `${root} has no readable package.json: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const parsed = packageJsonSchema.safeParse(json);
  if (!parsed.success) {
    throw new PrintosError('INVALID_ARGUMENT', `${root}/package.json lacks a name or a version`);
  }
  return parsed.data;
}

/** The same test as bin/printos.js: is dist/main.js at least as new as every file in src/? */
async function buildState(root: string): Promise<SourcePackage['state']> {
  const built = await mtime(join(root, 'dist', 'main.js'));
  if (built === undefined) return 'unbuilt';
  if (!existsSync(join(root, 'src'))) return 'release';
  return built >= (await newestFile(join(root, 'src'))) ? 'built' : 'stale';
}

async function newestFile(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const time = entry.isDirectory() ? await newestFile(path) : ((await mtime(path)) ?? 0);
    if (time > newest) newest = time;
  }
  return newest;
}

async function mtime(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}
