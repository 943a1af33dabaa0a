import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listPackageFiles, productionPackages, resolveInLock } from './package-files.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'printos-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function put(path: string, content = 'x'): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

const lock = {
  name: 'printos',
  lockfileVersion: 3,
  packages: {
    '': {
      name: 'printos',
      dependencies: { a: '^1', native: '^1', jsbuild: '^1', tsx: '^4', gone: '^1' },
      optionalDependencies: { 'opt-missing': '^1' },
      devDependencies: { devpkg: '^1' },
    },
    'node_modules/a': { version: '1.0.0', dependencies: { b: '^2', shared: '^1' } },
    'node_modules/a/node_modules/b': { version: '2.0.0' },
    'node_modules/b': { version: '1.0.0', dev: true },
    'node_modules/native': {
      version: '1.0.0',
      dependencies: { 'node-gyp-build': '^4' },
      peerDependencies: { peer: '^1', 'peer-absent': '^1' },
    },
    'node_modules/node-gyp-build': { version: '4.0.0' },
    'node_modules/peer': { version: '1.0.0' },
    'node_modules/jsbuild': { version: '1.0.0' },
    'node_modules/tsx': { version: '4.0.0', dependencies: { esbuild: '^0', shared: '^1' } },
    'node_modules/esbuild': {
      version: '0.1.0',
      optionalDependencies: { '@esbuild/linux-x64': '*' },
    },
    'node_modules/@esbuild/linux-x64': { version: '0.1.0', optional: true },
    'node_modules/shared': { version: '1.0.0' },
    'node_modules/devpkg': { version: '1.0.0', dev: true },
    'node_modules/opt-missing': { version: '1.0.0', optional: true },
    'node_modules/gone': { version: '1.0.0', optional: true },
  },
};

async function fixture(distImportsTsx = false): Promise<void> {
  await put('package.json', '{"name":"printos","version":"0.1.0"}');
  await put('package-lock.json', JSON.stringify(lock));
  await put('bin/printos.js');
  await put('dist/main.js', distImportsTsx ? "await import('tsx/esm/api');" : 'export {};');
  await put('dist/main.js.map');
  // Names tsx without importing it (as package-files.js itself does).
  await put('dist/cli/start.js', "const CHECKOUT_ONLY = ['tsx'];");
  await put('dist/cli/start.test.js');
  await put('release-key.pem');
  await put('README.md');
  await put('packaging/printos.service');
  await put('src/main.ts');
  await put('test/x.test.ts');
  await put('node_modules/.bin/tsx');
  await put('node_modules/.package-lock.json');
  await put('node_modules/a/index.js');
  await put('node_modules/a/node_modules/b/index.js');
  await put('node_modules/b/index.js');
  await put('node_modules/native/package.json', '{"name":"native"}');
  await put('node_modules/native/binding.gyp');
  await put('node_modules/native/lib/index.js');
  await put('node_modules/native/build/Makefile');
  await put('node_modules/native/build/Release/native.node');
  await put('node_modules/native/build/Release/obj.target/native/x.o');
  await put('node_modules/native/build/Release/lib.a');
  await put('node_modules/native/deps/sqlite3.c');
  await put('node_modules/native/src/native.cc');
  await put('node_modules/native/prebuilds/linux-x64/native.node');
  await put('node_modules/native/prebuilds/linux-arm64/native.node');
  await put('node_modules/native/prebuilds/darwin-x64+arm64/native.node');
  await symlink('lib/index.js', join(root, 'node_modules/native/main.js'));
  await put('node_modules/node-gyp-build/index.js');
  await put('node_modules/peer/index.js');
  await put('node_modules/jsbuild/build/index.js');
  await put('node_modules/jsbuild/src/index.js');
  await put('node_modules/tsx/dist/cli.mjs');
  await put('node_modules/esbuild/lib/main.js');
  await put('node_modules/@esbuild/linux-x64/bin/esbuild');
  await put('node_modules/shared/index.js');
  await put('node_modules/devpkg/index.js');
}

const base = [
  'README.md',
  'bin/printos.js',
  'dist/cli/start.js',
  'dist/main.js',
  'node_modules/a/index.js',
  'node_modules/a/node_modules/b/index.js',
  'node_modules/jsbuild/build/index.js',
  'node_modules/jsbuild/src/index.js',
  'node_modules/native/binding.gyp',
  'node_modules/native/build/Release/native.node',
  'node_modules/native/lib/index.js',
  'node_modules/native/main.js',
  'node_modules/native/package.json',
  'node_modules/native/prebuilds/linux-x64/native.node',
  'node_modules/node-gyp-build/index.js',
  'node_modules/peer/index.js',
  'node_modules/shared/index.js',
  'package.json',
  'packaging/printos.service',
  'release-key.pem',
];

describe('listPackageFiles', () => {
  it('takes the run-time files and the production packages, without tsx when dist does not use it', async () => {
    await fixture();
    expect(await listPackageFiles(root, { platform: 'linux', arch: 'x64' })).toEqual(base);
  });

  it('keeps the prebuilt binaries of the target only', async () => {
    await fixture();
    const files = await listPackageFiles(root, { platform: 'darwin', arch: 'arm64' });
    expect(files.filter((f) => f.includes('prebuilds'))).toEqual([
      'node_modules/native/prebuilds/darwin-x64+arm64/native.node',
    ]);
  });

  it('keeps tsx and what it needs when dist imports it', async () => {
    await fixture(true);
    const files = await listPackageFiles(root, { platform: 'linux', arch: 'x64' });
    expect(files.filter((f) => !base.includes(f))).toEqual([
      'node_modules/@esbuild/linux-x64/bin/esbuild',
      'node_modules/esbuild/lib/main.js',
      'node_modules/tsx/dist/cli.mjs',
    ]);
  });

  it.each([
    ['dist/main.js', /no dist\/main\.js \(run npm run build\)/],
    ['release-key.pem', /no release-key\.pem/],
    ['package-lock.json', /Cannot read .*package-lock\.json.*run npm install/],
  ])('refuses a root without %s', async (file, message) => {
    await fixture();
    await rm(join(root, file));
    await expect(listPackageFiles(root)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(message),
    });
  });
});

describe('productionPackages', () => {
  it('refuses a missing required package and an npm 6 lock', async () => {
    await fixture();
    await rm(join(root, 'node_modules/shared'), { recursive: true });
    await expect(productionPackages(root)).rejects.toThrow(
      /node_modules\/shared is missing; run npm ci/,
    );
    await put('package-lock.json', JSON.stringify({ lockfileVersion: 1, dependencies: {} }));
    await expect(productionPackages(root)).rejects.toThrow(/lockfileVersion 2 or 3/);
  });

  it('refuses a dependency the lock does not hold', async () => {
    await fixture();
    const broken = structuredClone(lock) as { packages: Record<string, unknown> };
    delete broken.packages['node_modules/shared'];
    await put('package-lock.json', JSON.stringify(broken));
    await expect(productionPackages(root)).rejects.toThrow(
      /no shared \(needed by node_modules\/a\)/,
    );
  });
});

describe('resolveInLock', () => {
  const packages = {
    'node_modules/a': {},
    'node_modules/b': {},
    'node_modules/a/node_modules/b': {},
    'node_modules/@s/c': {},
    'node_modules/@s/c/node_modules/d': {},
  };
  it.each([
    ['', 'a', 'node_modules/a'],
    ['', 'b', 'node_modules/b'],
    ['node_modules/a', 'b', 'node_modules/a/node_modules/b'],
    ['node_modules/a/node_modules/b', 'b', 'node_modules/a/node_modules/b'],
    ['node_modules/@s/c', 'b', 'node_modules/b'],
    ['node_modules/@s/c/node_modules/d', 'a', 'node_modules/a'],
    ['node_modules/@s/c', 'd', 'node_modules/@s/c/node_modules/d'],
    ['node_modules/a', 'd', undefined],
  ])('from %j, %s is %s', (from, name, expected) => {
    expect(resolveInLock(packages, from, name)).toBe(expected);
  });
});
