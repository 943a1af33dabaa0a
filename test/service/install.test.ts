/**
 * `printos service install|uninstall` on this machine, for real: a throw-away user, a
 * temporary prefix, data directory and unit directory (so the machine's own systemd is
 * never touched: systemd is reported absent and --no-start is used). Needs root; skipped
 * with the reason otherwise. The package installed is a small fixture, not this checkout's
 * 300 MB of node_modules: what is copied is the same code path either way.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerService } from '../../src/cli/service.js';
import { installService, uninstallService } from '../../src/service/install/commands.js';
import { PAM_HELPER } from '../../src/service/install/pam-helper.js';
import { USER_MARKER } from '../../src/service/install/plan-install.js';
import { describeAsRoot } from '../web/support/root.js';
import { run } from '../web/support/process.js';
import { buildSkipReason } from './pam-helper-build.js';

const REPO = resolve(import.meta.dirname, '..', '..');
const exec = promisify(execFile);

async function getent(db: 'passwd' | 'group', name: string): Promise<string[] | undefined> {
  try {
    const { stdout } = await exec('getent', [db, name]);
    return stdout.trim().split(':');
  } catch {
    return undefined;
  }
}

/**
 * A minimal package root, as a release holds it: no src/, so it counts as built. The unit
 * templates and the PAM helper's source are the repository's own.
 */
async function makeFixturePackage(root: string, version: string): Promise<void> {
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'dist'), { recursive: true });
  await mkdir(join(root, 'packaging'), { recursive: true });
  await mkdir(join(root, 'native'), { recursive: true });
  await mkdir(join(root, 'node_modules', 'dep'), { recursive: true });
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'printos', version }));
  await writeFile(join(root, 'bin', 'printos.js'), '#!/usr/bin/env node\n', { mode: 0o755 });
  await writeFile(join(root, 'dist', 'main.js'), 'export {};\n');
  await writeFile(join(root, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
  for (const path of [
    'packaging/printos.service',
    PAM_HELPER.socketTemplate,
    PAM_HELPER.serviceTemplate,
    PAM_HELPER.config,
    PAM_HELPER.source,
  ]) {
    await copyFile(join(REPO, path), join(root, path));
  }
}

const pamSkip = buildSkipReason();

describeAsRoot(
  `printos service install and uninstall${pamSkip ? ` [skipped: ${pamSkip}]` : ''}`,
  'creates an OS user and a system tree',
  () => {
    // The PAM helper is built by install: without cc and the PAM headers it refuses.
    if (pamSkip) return void it.skip('builds the PAM helper', () => {});
    const user = `printos-t${randomBytes(3).toString('hex')}`;
    const version = '9.8.7';
    let dir: string;
    let source: string;
    let prefix: string;
    let dataDir: string;
    let unitDir: string;
    let libexec: string;
    let pamDir: string;
    let out: string[];
    const deps = () => ({
      write: (line: string) => out.push(line),
      systemd: false,
      packageRoot: source,
      // The machine's /usr/local/libexec and /etc/pam.d stay untouched.
      pamHelperPath: join(libexec, 'printos', 'printos-pam-helper'),
      pamConfigDir: pamDir,
    });

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'printos-install-'));
      source = join(dir, 'package');
      prefix = join(dir, 'opt', 'printos');
      dataDir = join(dir, 'var', 'printos');
      unitDir = join(dir, 'units');
      libexec = join(dir, 'libexec');
      pamDir = join(dir, 'pam.d');
      await mkdir(pamDir);
      await makeFixturePackage(source, version);
    });

    afterAll(async () => {
      if (await getent('passwd', user)) await exec('userdel', [user]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    });

    const options = () => ({ user, prefix, dataDir, unitDir, noStart: true });

    it('installs: user, data directory, version tree, current link, unit', async () => {
      out = [];
      await installService(options(), deps());
      expect(out.at(-1)).toBe(
        `printos ${version} is installed in ${prefix}, runs as ${user}, keeps its data in ${dataDir}.`,
      );

      const passwd = await getent('passwd', user);
      expect(passwd).toBeDefined();
      const [, , uid, gid, comment, home, shell] = passwd as string[];
      expect(Number(uid)).toBeGreaterThanOrEqual(100);
      expect(Number(uid)).toBeLessThan(1000); // a system account
      expect({ comment, home, shell }).toEqual({
        comment: USER_MARKER,
        home: dataDir,
        shell: '/usr/sbin/nologin',
      });
      const group = await getent('group', user);
      expect(group?.[2]).toBe(gid); // its own group, the primary one
      // dialout comes from the unit (SupplementaryGroups), not from /etc/group.
      expect((await exec('id', ['-Gn', user])).stdout.trim()).toBe(user);

      const data = await stat(dataDir);
      expect(data.mode & 0o777).toBe(0o750);
      expect(data.uid).toBe(Number(uid));

      const versionDir = join(prefix, 'versions', version);
      expect(await readlink(join(prefix, 'current'))).toBe(`versions/${version}`);
      expect(await readlink(join(prefix, 'stable'))).toBe(`versions/${version}`);
      expect(
        JSON.parse(await readFile(join(prefix, 'current', 'package.json'), 'utf8')).version,
      ).toBe(version);
      for (const path of [
        'bin/printos.js',
        'dist/main.js',
        'node_modules/dep/index.js',
        'packaging/printos.service',
      ]) {
        expect((await stat(join(versionDir, path))).uid, path).toBe(Number(uid));
      }
      expect((await stat(join(versionDir, 'bin', 'printos.js'))).mode & 0o111).not.toBe(0);
      expect((await lstat(join(prefix, 'current'))).uid).toBe(Number(uid));
      expect((await stat(prefix)).uid).toBe(Number(uid));

      const unitPath = join(unitDir, 'printos.service');
      expect((await stat(unitPath)).mode & 0o777).toBe(0o644);
      const unit = await readFile(unitPath, 'utf8');
      expect(unit).toContain(`User=${user}\nGroup=${user}\n`);
      expect(unit).toContain(`Environment=PRINTOS_HOME=${dataDir}\n`);
      expect(unit).toContain(
        `ExecStart=${process.execPath} --optimize-for-size ${prefix}/stable/bin/printos.js start --supervised --data-dir ${dataDir}\n`,
      );
      expect(unit).toContain(`ReadWritePaths=${dataDir} ${prefix}\n`);
      expect(unit).toContain('SupplementaryGroups=dialout\n');
      expect(unit).toContain(`Environment=PRINTOS_PAM_SOCKET=${PAM_HELPER.socketPath}\n`);
      expect(out.some((line) => line.includes('systemd is not running here'))).toBe(true);
    });

    it('builds the PAM helper root-owned, 0755, outside the prefix, and writes its units', async () => {
      const helper = join(libexec, 'printos', 'printos-pam-helper');
      const info = await stat(helper);
      expect({ uid: info.uid, gid: info.gid, mode: info.mode & 0o7777 }).toEqual({
        uid: 0,
        gid: 0,
        mode: 0o755,
      });
      expect(helper.startsWith(`${prefix}/`)).toBe(false);
      expect((await readdir(join(libexec, 'printos'))).sort()).toEqual(['printos-pam-helper']);
      // It runs: a request it cannot parse gets its one-line answer.
      const answer = await run(helper, ['printos'], { input: 'no request', timeoutMs: 5000 });
      expect({ code: answer.code, stdout: answer.stdout }).toEqual({
        code: 0,
        stdout: 'ERROR bad request\n',
      });

      const socket = await readFile(join(unitDir, PAM_HELPER.socketUnit), 'utf8');
      expect(socket).toContain(`ListenStream=${PAM_HELPER.socketPath}\n`);
      expect(socket).toContain(`SocketGroup=${user}\n`);
      const service = await readFile(join(unitDir, PAM_HELPER.serviceUnit), 'utf8');
      expect(service).toContain(`ExecStart=${helper} printos\n`);
      expect(await readFile(join(pamDir, 'printos'), 'utf8')).toBe(
        await readFile(join(REPO, PAM_HELPER.config), 'utf8'),
      );
      for (const path of [
        join(unitDir, PAM_HELPER.socketUnit),
        join(unitDir, PAM_HELPER.serviceUnit),
        join(pamDir, 'printos'),
      ]) {
        expect((await stat(path)).mode & 0o777, path).toBe(0o644);
      }
    });

    it('installs again without copying the same version twice', async () => {
      out = [];
      await installService(options(), deps());
      expect(out).toContain(
        `→ note: printos ${version} is already in ${join(prefix, 'versions', version)}: not copied`,
      );
      expect(out.some((line) => line.includes('useradd'))).toBe(false);
    });

    it('uninstalls, keeping the data and the user', async () => {
      await writeFile(join(dataDir, 'settings.json'), '{}'); // as a service that ran leaves it
      out = [];
      // The rest is read from the installed units: the helper's path from its ExecStart.
      await uninstallService({ unitDir }, { ...deps(), pamHelperPath: '/nowhere/helper' });
      expect(existsSync(join(unitDir, 'printos.service'))).toBe(false);
      expect(existsSync(join(unitDir, PAM_HELPER.socketUnit))).toBe(false);
      expect(existsSync(join(unitDir, PAM_HELPER.serviceUnit))).toBe(false);
      expect(existsSync(join(libexec, 'printos'))).toBe(false);
      expect(existsSync(libexec)).toBe(true);
      expect(existsSync(join(pamDir, 'printos'))).toBe(false);
      expect(existsSync(prefix)).toBe(false);
      expect(existsSync(join(dataDir, 'settings.json'))).toBe(true);
      expect(await getent('passwd', user)).toBeDefined();
    });

    it('uninstall --purge removes the data directory, the user and its group', async () => {
      out = [];
      await uninstallService({ unitDir, user, prefix, dataDir, purge: true }, deps());
      expect(existsSync(dataDir)).toBe(false);
      expect(await getent('passwd', user)).toBeUndefined();
      expect(await getent('group', user)).toBeUndefined();
      expect(out).toContain(`→ note: nothing installed in ${prefix}`);
    });
  },
);

describe('printos service (the command line)', () => {
  it('install --dry-run prints every step and changes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'printos-install-dry-'));
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await makeFixturePackage(join(dir, 'package'), '1.2.3');
      const program = new Command('printos').exitOverride();
      registerService(program);
      await program.parseAsync([
        'node',
        'printos',
        'service',
        'install',
        '--dry-run',
        '--no-start',
        '--user',
        'printos-dry',
        '--source',
        join(dir, 'package'),
        '--prefix',
        join(dir, 'opt'),
        '--data-dir',
        join(dir, 'data'),
        '--unit-dir',
        join(dir, 'units'),
        '--no-pam-helper',
      ]);
    } finally {
      spy.mockRestore();
    }
    const text = written.join('');
    expect(text).toMatch(/^Dry run: nothing is changed/);
    expect(text).toContain('useradd --system');
    expect(text).toContain(
      `copy package.json bin dist node_modules packaging native from ${join(dir, 'package')} to ${join(dir, 'opt', 'versions', '1.2.3')}`,
    );
    expect(text).toContain('note: no PAM helper (--no-pam-helper)');
    expect(text).not.toContain('build ');
    expect(existsSync(join(dir, 'opt'))).toBe(false);
    expect(existsSync(join(dir, 'data'))).toBe(false);
    expect(await getent('passwd', 'printos-dry')).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
  });
});
