import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { unpackRelease } from './archive.js';
import { buildRelease, clientVersion, findPackageRoot } from './build-release.js';
import { currentTarget } from './manifest.js';
import { generateReleaseKeys } from './signing.js';
import { verifyArchive, verifyRelease } from './verify-release.js';

const run = promisify(execFile);
const keys = generateReleaseKeys();
const REPO = join(import.meta.dirname, '..', '..');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-build-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(path: string, content = 'x'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/** A package root as small as a release allows: one production package. */
async function fixture(publicKeyPem = keys.publicKeyPem): Promise<string> {
  const root = join(dir, 'pkg');
  await put(join(root, 'package.json'), '{\n  "name": "printos",\n  "version": "0.1.0"\n}\n');
  await put(
    join(root, 'package-lock.json'),
    JSON.stringify({
      lockfileVersion: 3,
      packages: { '': { dependencies: { a: '1' } }, 'node_modules/a': { version: '1.0.0' } },
    }),
  );
  await put(join(root, 'src', 'main.ts'), 'export {};');
  await put(join(root, 'bin', 'printos.js'), '#!/usr/bin/env node\n');
  await put(join(root, 'dist', 'main.js'), 'export {};');
  await put(join(root, 'release-key.pem'), publicKeyPem);
  await put(join(root, 'node_modules', 'a', 'index.js'), 'module.exports = 1;');
  const past = new Date(Date.now() - 60_000);
  await utimes(join(root, 'src', 'main.ts'), past, past);
  return root;
}

const now = () => new Date('2026-11-27T12:00:00.000Z');

describe('buildRelease', () => {
  it('writes the archive, a manifest that verifies, and its signature', async () => {
    const root = await fixture();
    const out = join(dir, 'out');
    const built = await buildRelease({
      sourceRoot: root,
      privateKeyPem: keys.privateKeyPem,
      outDir: out,
      notes: 'First.',
      now,
    });
    expect((await readdir(out)).sort()).toEqual([
      'manifest.json',
      'manifest.sig',
      'printos-0.1.0.tar.gz',
    ]);
    expect(built.signedWithShippedKey).toBe(true);
    const manifestBytes = await readFile(built.files.manifest);
    const signature = await readFile(built.files.signature, 'utf8');
    const manifest = verifyRelease({
      manifestBytes,
      signature,
      publicKeyPem: keys.publicKeyPem,
      currentVersion: '0.0.9',
    });
    expect(manifest).toEqual(built.manifest);
    expect(manifest).toMatchObject({
      version: '0.1.0',
      notes: 'First.',
      createdAt: now().toISOString(),
      target: currentTarget(),
    });
    await verifyArchive(built.files.archive, manifest);
    const unpacked = join(dir, 'unpacked');
    await unpackRelease(built.files.archive, unpacked);
    expect((await readdir(unpacked)).sort()).toEqual([
      'bin',
      'dist',
      'node_modules',
      'package.json',
      'release-key.pem',
    ]);
    expect(await readFile(join(unpacked, 'package.json'), 'utf8')).toBe(
      await readFile(join(root, 'package.json'), 'utf8'),
    );
  });

  it('gives the archived package.json the version asked for, and leaves the source alone', async () => {
    const root = await fixture();
    const built = await buildRelease({
      sourceRoot: root,
      privateKeyPem: keys.privateKeyPem,
      outDir: join(dir, 'out'),
      version: '0.2.0-rc.1',
    });
    expect(built.manifest.archive).toBe('printos-0.2.0-rc.1.tar.gz');
    const unpacked = join(dir, 'unpacked');
    await unpackRelease(built.files.archive, unpacked);
    expect(await clientVersion(unpacked)).toBe('0.2.0-rc.1');
    expect(await clientVersion(root)).toBe('0.1.0');
  });

  it('says when the signing key is not the one the release ships', async () => {
    const root = await fixture(generateReleaseKeys().publicKeyPem);
    const built = await buildRelease({
      sourceRoot: root,
      privateKeyPem: keys.privateKeyPem,
      outDir: join(dir, 'out'),
    });
    expect(built.signedWithShippedKey).toBe(false);
  });

  it('rebuilds the same version in place, and refuses a directory holding another release', async () => {
    const root = await fixture();
    const out = join(dir, 'out');
    const first = await buildRelease({
      sourceRoot: root,
      privateKeyPem: keys.privateKeyPem,
      outDir: out,
      now,
    });
    const again = await buildRelease({
      sourceRoot: root,
      privateKeyPem: keys.privateKeyPem,
      outDir: out,
      notes: 'Again.',
    });
    expect(again.manifest.notes).toBe('Again.');
    expect(again.manifest.createdAt).not.toBe(first.manifest.createdAt);
    await expect(
      buildRelease({
        sourceRoot: root,
        privateKeyPem: keys.privateKeyPem,
        outDir: out,
        version: '0.2.0',
      }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already holds release 0.1.0'),
    });
    expect((await readdir(out)).sort()).toEqual([
      'manifest.json',
      'manifest.sig',
      'printos-0.1.0.tar.gz',
    ]);
  });

  it('refuses a stale build, a bad version, a bad key, long notes, and an output folder that is packed', async () => {
    const root = await fixture();
    const base = { sourceRoot: root, privateKeyPem: keys.privateKeyPem, outDir: join(dir, 'out') };
    await expect(buildRelease({ ...base, version: 'v1.0' })).rejects.toThrow(
      /not a release version/,
    );
    await expect(buildRelease({ ...base, privateKeyPem: keys.publicKeyPem })).rejects.toThrow(
      /not a PEM private key/,
    );
    await expect(buildRelease({ ...base, notes: 'x'.repeat(16_001) })).rejects.toThrow(
      /limited to 16000/,
    );
    await expect(buildRelease({ ...base, outDir: join(root, 'dist', 'rel') })).rejects.toThrow(
      /inside dist\//,
    );
    await put(join(root, 'src', 'cli', 'new.ts'), 'export {};');
    await expect(buildRelease(base)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/older than .*new\.ts .*run npm run build/),
    });
    await rm(join(root, 'dist'), { recursive: true });
    await expect(buildRelease(base)).rejects.toThrow(
      /dist\/main\.js is missing; run npm run build/,
    );
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('finds the printos package root above a folder', async () => {
    const root = await fixture();
    await put(join(root, 'node_modules', 'a', 'package.json'), '{"name":"a","version":"1.0.0"}');
    expect(await findPackageRoot(join(root, 'node_modules', 'a'))).toBe(root);
    expect(await findPackageRoot(REPO)).toBe(REPO);
  });
});

/**
 * One real release of this repository: the current src/ compiled into a staging package
 * root (the checkout's own dist/ may be stale or absent), packed with the real
 * node_modules, unpacked elsewhere, and run.
 */
describe('a real release of this repository', () => {
  let stage: string;
  let unpacked: string;
  let built: Awaited<ReturnType<typeof buildRelease>>;
  let seconds: number;
  let unpackSeconds: number;

  beforeAll(async () => {
    stage = await mkdtemp(join(tmpdir(), 'printos-real-release-'));
    const root = join(stage, 'root');
    await mkdir(root);
    for (const name of [
      'package.json',
      'package-lock.json',
      'bin',
      'release-key.pem',
      'README.md',
      'LICENSE',
      'packaging',
    ]) {
      if (existsSync(join(REPO, name)))
        await cp(join(REPO, name), join(root, name), { recursive: true });
    }
    await symlink(join(REPO, 'node_modules'), join(root, 'node_modules'));
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    // Emit only: type errors are the typecheck's business, and checking doubles the time.
    await run(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', join(root, 'dist'), '--noCheck'],
      { cwd: REPO },
    ).catch(() => undefined);
    const started = Date.now();
    built = await buildRelease({
      sourceRoot: root,
      privateKeyPem: keys.privateKeyPem,
      outDir: join(stage, 'out'),
      version: '99.0.0-test.1',
      notes: 'Real.',
    });
    seconds = (Date.now() - started) / 1000;
    unpacked = join(stage, 'unpacked');
    const unpackStarted = Date.now();
    await unpackRelease(built.files.archive, unpacked);
    unpackSeconds = (Date.now() - unpackStarted) / 1000;
  }, 240_000);
  afterAll(async () => {
    if (stage) await rm(stage, { recursive: true, force: true });
  });

  it('is a compact archive of dist and the production packages only', async () => {
    process.stderr.write(
      `real release: ${(built.manifest.size / 1e6).toFixed(1)} MB, built in ${seconds.toFixed(1)} s, unpacked in ${unpackSeconds.toFixed(1)} s\n`,
    );
    expect(built.manifest.size).toBeLessThan(40_000_000);
    const top = (await readdir(unpacked)).sort();
    expect(top).toEqual(
      expect.arrayContaining(['bin', 'dist', 'node_modules', 'package.json', 'release-key.pem']),
    );
    expect(top).not.toContain('src');
    expect(top).not.toContain('test');
    const modules = await readdir(join(unpacked, 'node_modules'));
    for (const dev of [
      'tsx',
      'esbuild',
      'typescript',
      'vitest',
      '@biomejs',
      'fast-check',
      'playwright-core',
    ]) {
      expect(modules).not.toContain(dev);
    }
    expect(modules).toEqual(
      expect.arrayContaining(['fastify', 'zod', 'better-sqlite3', 'serialport', 'tar', 'semver']),
    );
    expect(existsSync(join(unpacked, 'node_modules', 'better-sqlite3', 'deps'))).toBe(false);
    expect(
      existsSync(
        join(unpacked, 'node_modules', 'better-sqlite3', 'build', 'Release', 'obj.target'),
      ),
    ).toBe(false);
    const dist = (await readdir(join(unpacked, 'dist'), { recursive: true })).map(String);
    expect(dist.filter((f) => f.endsWith('.map') || f.endsWith('.test.js'))).toEqual([]);
  });

  it('runs: the version it was given, every module importable, the native modules loading', async () => {
    const version = await run(
      process.execPath,
      [join(unpacked, 'bin', 'printos.js'), '--version'],
      { cwd: stage },
    );
    expect(version.stdout.trim()).toBe('99.0.0-test.1');
    const script = join(unpacked, 'release-check.mjs');
    await writeFile(
      script,
      `import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const failed = [];
const files = readdirSync(new URL('./dist', import.meta.url), { recursive: true })
  .filter((f) => f.endsWith('.js') && f !== 'main.js');
for (const f of files) await import('./dist/' + f).catch((e) => failed.push(f + ': ' + e.message));
const Database = require('better-sqlite3');
const sqlite = new Database(':memory:').prepare('select 41 + 1 as x').get().x;
const pam = typeof require('authenticate-pam').authenticate;
const serial = typeof require('@serialport/bindings-cpp').autoDetect().list;
console.log(JSON.stringify({ modules: files.length, failed, sqlite, pam, serial }));
`,
    );
    const { stdout } = await run(process.execPath, [script], { cwd: stage });
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ failed: [], sqlite: 42, pam: 'function', serial: 'function' });
    expect(result.modules).toBeGreaterThan(100);
  });
});
