/**
 * Updates end to end, with real release archives of this client, a real self-hosted
 * cloud serving them, and a real supervised service installed in a temp prefix:
 * refused releases (downgrade, bad signature, tampered archive) change nothing; a good
 * one installs and answers as the new version; a release whose service does not start is
 * rolled back by the supervisor and the previous version answers again.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackRelease } from '../../src/update/archive.js';
import {
  installVersion,
  readUpdateState,
  switchCurrent,
  switchStable,
} from '../../src/update/layout.js';
import { archiveName, parseManifest } from '../../src/update/manifest.js';
import { generateReleaseKeys, signManifest } from '../../src/update/signing.js';
import { eventually, type LongRun, printos, spawnPrintos } from './processes.js';

const REPO = resolve(import.meta.dirname, '..', '..');

let work: string;
let prefix: string;
let dataDir: string;
let cloud: LongRun;
let cloudDir: string;
let cloudUrl: string;
let service: ChildProcess;
let serviceOutput = '';
let privateKeyPath: string;
const releases: Record<string, string> = {};

/**
 * A package root to release from: this checkout's sources compiled into it (whatever the
 * state of the checkout's own dist/), its production files, and the test's public key.
 */
async function stageSource(dir: string, publicKeyPem: string, from?: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of ['package.json', 'package-lock.json', 'bin']) {
    await cp(join(REPO, name), join(dir, name), { recursive: true });
  }
  if (from) {
    await cp(join(from, 'dist'), join(dir, 'dist'), { recursive: true });
  } else {
    const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
    const config = join(REPO, 'tsconfig.build.json');
    execFileSync(process.execPath, [tsc, '-p', config, '--outDir', join(dir, 'dist'), '--noCheck']);
  }
  // The packer reads through a linked node_modules (no copy of ~100 MB).
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  await writeFile(join(dir, 'release-key.pem'), publicKeyPem);
}

async function release(source: string, version: string, notes: string): Promise<string> {
  const out = join(work, `release-${version}`);
  const run = await printos([
    'release',
    '--key',
    privateKeyPath,
    '--out',
    out,
    '--source',
    source,
    '--version',
    version,
    '--notes',
    notes,
  ]);
  expect(run.code, run.stderr).toBe(0);
  releases[version] = out;
  return out;
}

/** A signed release dir for `version` made from another one's archive (no new pack). */
async function resign(from: string, version: string, privateKeyPem: string): Promise<string> {
  const source = releases[from] as string;
  const out = join(work, `release-${version}`);
  await mkdir(out, { recursive: true });
  const manifest = parseManifest(await readFile(join(source, 'manifest.json')));
  await cp(join(source, manifest.archive), join(out, archiveName(version)));
  const bytes = Buffer.from(
    `${JSON.stringify({ ...manifest, version, archive: archiveName(version) }, null, 2)}\n`,
  );
  await writeFile(join(out, 'manifest.json'), bytes);
  await writeFile(join(out, 'manifest.sig'), signManifest(bytes, privateKeyPem));
  return out;
}

async function publish(dir: string): Promise<void> {
  const run = await printos(['cloud', 'release', 'publish', dir, '--data-dir', cloudDir]);
  expect(run.code, run.stderr).toBe(0);
}

function startService(): void {
  serviceOutput = '';
  service = spawn(
    process.execPath,
    [
      // As the unit runs it: the supervisor from the last healthy version.
      join(prefix, 'stable', 'bin', 'printos.js'),
      'start',
      '--supervised',
      '--data-dir',
      dataDir,
      '--cloud-url',
      cloudUrl,
      '--offline',
      '--local-port',
      '0',
      '--no-browser',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const collect = (chunk: Buffer) => {
    serviceOutput += chunk.toString();
  };
  service.stdout?.on('data', collect);
  service.stderr?.on('data', collect);
}

/** The version the running service answers with (GET /api/health), or undefined. */
async function runningVersion(): Promise<string | undefined> {
  const file = JSON.parse(await readFile(join(dataDir, 'service.json'), 'utf8')) as {
    port: number;
  };
  const answer = await fetch(`http://127.0.0.1:${file.port}/api/health`);
  return ((await answer.json()) as { version: string }).version;
}

async function waitForVersion(version: string): Promise<void> {
  await eventually(
    async () => ((await runningVersion()) === version ? true : undefined),
    `printos ${version} to answer; service output:\n${serviceOutput.slice(-3000)}`,
    60_000,
  );
}

async function update(...args: string[]) {
  return printos(['update', '--data-dir', dataDir, ...args]);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'printos-update-'));
  prefix = join(work, 'opt');
  dataDir = join(work, 'data');
  cloudDir = join(work, 'cloud');
  const keys = generateReleaseKeys();
  privateKeyPath = join(work, 'release-private.pem');
  await writeFile(privateKeyPath, keys.privateKeyPem, { mode: 0o600 });

  const source = join(work, 'source');
  await stageSource(source, keys.publicKeyPem);
  await release(source, '1.0.0', 'The first release.');
  await release(source, '1.1.0', 'Faster prints.\nA new update page.');
  // A release that cannot start: its service module throws when loaded.
  const broken = join(work, 'source-broken');
  await stageSource(broken, keys.publicKeyPem, source);
  await rm(join(broken, 'dist', 'app-service.js'));
  await writeFile(join(broken, 'dist', 'app-service.js'), "throw new Error('broken release');\n");
  await release(broken, '1.2.0', 'This one is broken.');

  // Install 1.0.0 as `printos service install` lays it out.
  const v1 = releases['1.0.0'] as string;
  const archive = join(v1, archiveName('1.0.0'));
  await installVersion(prefix, '1.0.0', (dest) => unpackRelease(archive, dest));
  await switchCurrent(prefix, '1.0.0');
  await switchStable(prefix, '1.0.0');

  cloud = spawnPrintos(['cloud', '--port', '0', '--data-dir', cloudDir]);
  const [, url] = await cloud.waitFor(/listening on (http:\/\/\S+)/);
  cloudUrl = url as string;
  startService();
  await waitForVersion('1.0.0');
}, 240_000);

afterAll(async () => {
  if (service && service.exitCode === null) {
    const exited = new Promise((done) => service.once('exit', done));
    service.kill('SIGTERM');
    await exited;
  }
  await cloud?.stop();
  await rm(work, { recursive: true, force: true });
}, 60_000);

describe('printos update against the self-hosted cloud', () => {
  it('says the running version is up to date when the cloud has nothing newer', async () => {
    const run = await update('--check');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('printos 1.0.0 is up to date');
  });

  it('refuses a downgrade with a clear error', async () => {
    await publish(await resign('1.0.0', '0.9.0', await readFile(privateKeyPath, 'utf8')));
    const run = await update('--check');
    expect(run.code).toBe(17);
    expect(run.stderr).toMatch(/0\.9\.0 is not newer than the running 1\.0\.0/);
    expect(await runningVersion()).toBe('1.0.0');
  });

  it('refuses a release signed with another key', async () => {
    const other = generateReleaseKeys();
    await publish(await resign('1.1.0', '1.0.5', other.privateKeyPem));
    const run = await update('--yes');
    expect(run.code).toBe(17);
    expect(run.stderr).toMatch(/signature/i);
    expect(existsSync(join(prefix, 'versions', '1.0.5'))).toBe(false);
    expect(await runningVersion()).toBe('1.0.0');
  });

  it('refuses an archive changed after it was signed, and installs nothing', async () => {
    await publish(await resign('1.1.0', '1.0.6', await readFile(privateKeyPath, 'utf8')));
    // The cloud's copy is altered (a compromised server or mirror): same size, other bytes.
    const served = await findServedArchive('1.0.6');
    const bytes = await readFile(served);
    bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
    await writeFile(served, bytes);
    const run = await update('--yes');
    expect(run.code).toBe(17);
    expect(run.stderr).toMatch(/UPDATE_TAMPERED|does not match/);
    expect(existsSync(join(prefix, 'versions', '1.0.6'))).toBe(false);
    expect(await readlink(join(prefix, 'current'))).toBe(join('versions', '1.0.0'));
    expect(await runningVersion()).toBe('1.0.0');
  });

  it('installs a good release beside the old one, and the new version answers', async () => {
    await publish(releases['1.1.0'] as string);
    const check = await update('--check');
    expect(check.stdout).toContain('printos 1.1.0 is available (this is 1.0.0)');
    expect(check.stdout).toContain('Faster prints.');
    const run = await update('--yes');
    expect(run.code, `${run.stdout}\n${run.stderr}\n${serviceOutput.slice(-3000)}`).toBe(0);
    expect(run.stdout).toContain('printos 1.1.0 is running');
    expect(await runningVersion()).toBe('1.1.0');
    expect(await readlink(join(prefix, 'current'))).toBe(join('versions', '1.1.0'));
    expect(await readlink(join(prefix, 'stable'))).toBe(join('versions', '1.1.0'));
    expect((await stat(join(prefix, 'versions', '1.0.0'))).isDirectory()).toBe(true);
    const state = await readUpdateState(prefix);
    expect(state.trial).toBeNull();
    expect(state.last).toMatchObject({ from: '1.0.0', to: '1.1.0', outcome: 'installed' });
  }, 120_000);

  it('rolls back a release that fails its health check; the old version answers again', async () => {
    await publish(releases['1.2.0'] as string);
    const run = await update('--yes');
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(17);
    expect(run.stderr).toMatch(/rolled back/);
    await waitForVersion('1.1.0');
    expect(await readlink(join(prefix, 'current'))).toBe(join('versions', '1.1.0'));
    expect(await readlink(join(prefix, 'stable'))).toBe(join('versions', '1.1.0'));
    const state = await readUpdateState(prefix);
    expect(state.last).toMatchObject({ from: '1.1.0', to: '1.2.0', outcome: 'rolled-back' });
    expect(serviceOutput).toContain('broken release');
    const check = await update('--check');
    expect(check.stdout).toContain('The last update (to 1.2.0) was rolled back');
  }, 120_000);
});

async function findServedArchive(version: string): Promise<string> {
  const path = join(cloudDir, 'releases', version, archiveName(version));
  if (!existsSync(path)) {
    throw new Error(`the cloud does not keep ${basename(path)} where expected: ${path}`);
  }
  return path;
}
