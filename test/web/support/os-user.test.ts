import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { describeAsRoot, osUserExists, sweepStaleOsUsers, withOsUser } from './os-user.js';
import { run } from './process.js';

type Authenticate = (
  user: string,
  password: string,
  callback: (err?: string) => void,
  options?: { serviceName?: string },
) => void;

/** The raw binding, so this test does not depend on src/web/pam.ts. */
const pam = createRequire(import.meta.url)('authenticate-pam') as { authenticate: Authenticate };

function pamAccepts(user: string, password: string): Promise<boolean> {
  return new Promise((resolve) => pam.authenticate(user, password, (err) => resolve(!err)));
}

describeAsRoot('withOsUser', 'creates OS users', () => {
  it('creates a login-less user that PAM accepts with its password only', async () => {
    await withOsUser(async (user) => {
      expect(user.name).toMatch(/^[a-z_][a-z0-9_-]{0,31}$/);
      const entry = (await run('getent', ['passwd', user.name])).stdout.trim().split(':');
      expect(entry[6]).toBe('/usr/sbin/nologin');
      expect(existsSync(entry[5] ?? '/')).toBe(false);
      // Run together: each refusal costs the `login` service's ~3 s failure delay.
      const [right, wrong] = await Promise.all([
        pamAccepts(user.name, user.password),
        pamAccepts(user.name, `${user.password}!`),
      ]);
      expect({ right, wrong }).toEqual({ right: true, wrong: false });
    });
  });

  it('takes a chosen password, ":" included', async () => {
    await withOsUser(
      async (user) => {
        expect(await pamAccepts(user.name, 'pa:ss wörd')).toBe(true);
      },
      { password: 'pa:ss wörd' },
    );
  });

  it('removes the user afterwards, also when fn throws', async () => {
    let name = '';
    const failure = withOsUser(async (user) => {
      name = user.name;
      expect(await osUserExists(name)).toBe(true);
      throw new Error('test failure inside');
    });
    await expect(failure).rejects.toThrow('test failure inside');
    expect(name).not.toBe('');
    expect(await osUserExists(name)).toBe(false);
    expect((await run('getent', ['group', name])).code).not.toBe(0);
  });

  it('sweeps users left by a test process that died', async () => {
    const dead = spawn('true');
    const pid = await new Promise<number>((done) => dead.on('exit', () => done(dead.pid ?? 0)));
    const name = `pxtstale${pid % 1000}`;
    const comment = `printos test user pid ${pid}`;
    expect((await run('useradd', ['--no-create-home', '--comment', comment, name])).code).toBe(0);
    try {
      // Another test file's sweep may get there first; either way the user must be gone.
      await sweepStaleOsUsers();
      expect(await osUserExists(name)).toBe(false);
    } finally {
      await run('userdel', [name]);
    }
  });
});
