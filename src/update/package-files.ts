/**
 * Which files of a package root make a release: what `node bin/printos.js` needs to run
 * from dist/, and nothing a checkout only needs for development (src/, tests, source maps,
 * dev dependencies, the compilers of native modules).
 */
import { existsSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PrintosError } from '../core/errors.js';
import { RELEASE_KEY_FILE } from './signing.js';

/** Files a release cannot run or verify updates without. */
const REQUIRED = ['package.json', 'bin/printos.js', 'dist/main.js', RELEASE_KEY_FILE];
/** Top-level folders and files taken whole when present. */
const OPTIONAL = ['packaging', 'native', 'README.md', 'LICENSE'];

export interface PackageFilesOptions {
  /** The machine the release is for: only its prebuilt native binaries are kept. */
  platform?: string;
  arch?: string;
}

/**
 * The sorted relative paths (files and symlinks, never folders) of a release of the
 * package at `root`: package.json, bin/, dist/ (no tests, no maps), release-key.pem,
 * packaging/, README.md, LICENSE, and the production packages of package-lock.json.
 */
export async function listPackageFiles(
  root: string,
  options: PackageFilesOptions = {},
): Promise<string[]> {
  for (const file of REQUIRED) {
    if (!existsSync(join(root, file))) {
      const hint = file.startsWith('dist/') ? ' (run npm run build)' : '';
      throw new PrintosError(
        'INVALID_ARGUMENT',
        `${root} has no ${file}${hint}; it cannot be released.`,
      );
    }
  }
  const files: string[] = ['package.json', RELEASE_KEY_FILE];
  files.push(...(await walk(root, 'bin', () => true)));
  files.push(...(await walk(root, 'dist', (path) => !/\.test\.js$|\.map$/.test(path))));
  for (const name of OPTIONAL) {
    if (existsSync(join(root, name))) files.push(...(await walk(root, name, () => true)));
  }
  const target = {
    platform: options.platform ?? process.platform,
    arch: options.arch ?? process.arch,
  };
  for (const dir of await productionPackages(root, await checkoutOnlyPackages(root))) {
    const keep = (await isNativeModule(join(root, dir))) ? nativeKeep(target) : () => true;
    files.push(...(await walk(root, dir, (path) => keep(path.slice(dir.length + 1)))));
  }
  return [...new Set(files)].sort();
}

/** Built from C++ by node-gyp: has a binding.gyp or says `gypfile: true`. */
async function isNativeModule(dir: string): Promise<boolean> {
  if (existsSync(join(dir, 'binding.gyp'))) return true;
  try {
    const pkg = z
      .looseObject({ gypfile: z.boolean().optional() })
      .safeParse(JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')));
    return pkg.success && pkg.data.gypfile === true;
  } catch {
    return false;
  }
}

/**
 * A native module needs its JavaScript and its compiled binary only. `bindings` and
 * `node-gyp-build` look in build/Release/ first, then (node-gyp-build) in
 * prebuilds/<platform>-<arch…>/; build/ also holds object files and static libraries,
 * and deps/ and src/ hold the C and C++ sources, none of which is loaded at run time.
 */
function nativeKeep(target: { platform: string; arch: string }): (inPackage: string) => boolean {
  return (path) => {
    const [top, second, third] = path.split('/');
    if (top === 'deps' || top === 'src') return false;
    if (top === 'build') {
      return (
        second === 'Release' && third?.endsWith('.node') === true && path.split('/').length === 3
      );
    }
    if (top === 'prebuilds' && second !== undefined && third !== undefined) {
      return prebuildMatches(second, target);
    }
    return true;
  };
}

/** node-gyp-build's folder names: `linux-x64`, `darwin-x64+arm64`. */
function prebuildMatches(folder: string, target: { platform: string; arch: string }): boolean {
  const dash = folder.indexOf('-');
  if (dash < 0) return false;
  const platform = folder.slice(0, dash);
  const arches = folder.slice(dash + 1).split('+');
  return platform === target.platform && arches.includes(target.arch);
}

/**
 * Files and symlinks under `root/dir`, relative to root. Nested node_modules/ folders are
 * skipped: each package in them is its own package-lock entry, kept or left out on its own.
 */
async function walk(root: string, dir: string, keep: (path: string) => boolean): Promise<string[]> {
  const info = await lstat(join(root, dir));
  if (!info.isDirectory()) {
    return (info.isFile() || info.isSymbolicLink()) && keep(dir) ? [dir] : [];
  }
  const found: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') found.push(...(await walk(root, path, keep)));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && keep(path)) {
      found.push(path);
    }
  }
  return found;
}

/**
 * Packages only a source checkout needs: tsx runs src/ when dist/ is stale (bin/printos.js);
 * a release has no src/ and always runs dist/. Kept if anything in dist/ imports them.
 */
const CHECKOUT_ONLY = ['tsx'];

async function checkoutOnlyPackages(root: string): Promise<string[]> {
  const dist = await walk(root, 'dist', (path) => path.endsWith('.js'));
  const imported = new Set<string>();
  for (const file of dist) {
    const text = await readFile(join(root, file), 'utf8');
    for (const name of CHECKOUT_ONLY) {
      if (importPattern(name).test(text)) imported.add(name);
    }
  }
  return CHECKOUT_ONLY.filter((name) => !imported.has(name));
}

/** `from 'tsx…'`, `import 'tsx…'`, `import('tsx…')`, `require('tsx…')`; not any mention of the name. */
function importPattern(name: string): RegExp {
  return new RegExp(`\\b(?:from|import|require)\\s*\\(?\\s*['"]${name}(?:/[^'"]*)?['"]`);
}

const dependencyMap = z.record(z.string(), z.string()).optional();
const lockEntrySchema = z.looseObject({
  dev: z.boolean().optional(),
  optional: z.boolean().optional(),
  link: z.boolean().optional(),
  dependencies: dependencyMap,
  optionalDependencies: dependencyMap,
  peerDependencies: dependencyMap,
});
const lockSchema = z.looseObject({
  lockfileVersion: z.number().int().min(2),
  packages: z.record(z.string(), lockEntrySchema),
});
type LockEntry = z.infer<typeof lockEntrySchema>;

interface Wanted {
  /** The lock key of the package that depends on it ('' for the root). */
  from: string;
  name: string;
  /** An optional or peer dependency may be absent (a platform package of another OS). */
  optional: boolean;
}

/**
 * The folders (package-lock keys, e.g. node_modules/a/node_modules/b) of the packages the
 * production dependencies need, followed through package-lock.json the way Node resolves
 * them. Dev-only packages and `omit` (with what only they need) are left out.
 */
export async function productionPackages(
  root: string,
  omit: readonly string[] = [],
): Promise<string[]> {
  const packages = await readLock(root);
  const rootEntry = packages[''] ?? {};
  const queue: Wanted[] = wantedBy('', rootEntry).filter((w) => !omit.includes(w.name));
  const found = new Set<string>();
  for (let next = queue.shift(); next; next = queue.shift()) {
    const key = resolveInLock(packages, next.from, next.name);
    const entry = key === undefined ? undefined : packages[key];
    if (key === undefined || entry === undefined) {
      if (next.optional) continue;
      throw new PrintosError(
        'INVALID_ARGUMENT',
        `package-lock.json has no ${next.name} (needed by ${next.from || 'printos'}); run npm install.`,
      );
    }
    if (found.has(key) || entry.dev === true) continue;
    if (entry.link === true) {
      throw new PrintosError(
        'INVALID_ARGUMENT',
        `${key} is a linked package (npm link or a workspace); a release needs installed packages.`,
      );
    }
    if (!existsSync(join(root, key))) {
      if (next.optional || entry.optional === true) continue;
      throw new PrintosError(
        'INVALID_ARGUMENT',
        `${key} is missing; run npm ci before building a release.`,
      );
    }
    found.add(key);
    queue.push(...wantedBy(key, entry));
  }
  return [...found].sort();
}

function wantedBy(from: string, entry: LockEntry): Wanted[] {
  const names = (deps: Record<string, string> | undefined) => Object.keys(deps ?? {});
  return [
    ...names(entry.dependencies).map((name) => ({ from, name, optional: false })),
    ...names(entry.optionalDependencies).map((name) => ({ from, name, optional: true })),
    ...names(entry.peerDependencies).map((name) => ({ from, name, optional: true })),
  ];
}

/** Node's lookup: <from>/node_modules/<name>, then each enclosing node_modules up to the root. */
export function resolveInLock(
  packages: Record<string, unknown>,
  from: string,
  name: string,
): string | undefined {
  let base = from;
  for (;;) {
    const key = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (packages[key] !== undefined) return key;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut < 0 ? '' : base.slice(0, cut);
  }
}

async function readLock(root: string): Promise<Record<string, LockEntry>> {
  const path = join(root, 'package-lock.json');
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `Cannot read ${path} (${err instanceof Error ? err.message : String(err)}); run npm install.`,
    );
  }
  const parsed = lockSchema.safeParse(json);
  if (!parsed.success) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `${path} is not a package-lock.json of npm 7 or later (lockfileVersion 2 or 3); run npm install.`,
    );
  }
  return parsed.data.packages;
}
