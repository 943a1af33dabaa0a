import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { withOsUser } from '../../test/web/support/os-user.js';
import { describeAsRoot } from '../../test/web/support/root.js';
import { PrintosError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { createPamChecker, type PamBinding } from './pam.js';

function memoryLog(): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'trace' }, stream), text: () => lines.join('') };
}

interface Call {
  user: string;
  password: string;
  options: { serviceName?: string; remoteHost?: string } | undefined;
  answer: (err?: string) => void;
}

/** A PAM that answers `answer` at once, or holds the call when `answer` is 'hold'. */
function fakePam(answer: string | undefined | 'hold' = undefined) {
  const calls: Call[] = [];
  const binding: PamBinding = {
    authenticate(user, password, callback, options) {
      calls.push({ user, password, options, answer: callback });
      if (answer !== 'hold') setImmediate(() => callback(answer));
    },
  };
  return { calls, loadBinding: () => binding };
}

const GOOD_PASSWORD = 'correct horse';

describe('createPamChecker, input checks', () => {
  const refusedInputs: Array<[string, unknown, unknown]> = [
    ['upper-case user', 'Alice', GOOD_PASSWORD],
    ['user starting with a digit', '1alice', GOOD_PASSWORD],
    ['user too long', `a${'b'.repeat(32)}`, GOOD_PASSWORD],
    ['user with a slash', 'a/b', GOOD_PASSWORD],
    ['user with a NUL', 'al\0ice', GOOD_PASSWORD],
    ['user with a newline', 'alice\n', GOOD_PASSWORD],
    ['empty user', '', GOOD_PASSWORD],
    ['user not a string', 42, GOOD_PASSWORD],
    ['password not a string', 'alice', { length: 3 }],
    ['empty password', 'alice', ''],
    ['password with a NUL', 'alice', 'abc\0def'],
    ['password over 1024 characters', 'alice', 'x'.repeat(1025)],
    ['password at the binding buffer (127 bytes)', 'alice', 'x'.repeat(127)],
    ['multi-byte password over 126 bytes', 'alice', 'é'.repeat(64)],
    ['root, refused by default', 'root', GOOD_PASSWORD],
  ];
  for (const [label, user, password] of refusedInputs) {
    it(`refuses ${label} without calling PAM`, async () => {
      const pam = fakePam();
      const checker = createPamChecker({ log: silentLogger(), loadBinding: pam.loadBinding });
      await expect(checker.check(user as string, password as string)).resolves.toBe(false);
      expect(pam.calls).toHaveLength(0);
    });
  }

  it('passes acceptable input through, with the service and a valid remote host', async () => {
    const pam = fakePam();
    const checker = createPamChecker({
      service: 'printos',
      log: silentLogger(),
      loadBinding: pam.loadBinding,
    });
    const password = 'p'.repeat(126);
    await expect(checker.check('_pi-user9', password, '10.1.2.3')).resolves.toBe(true);
    await expect(checker.check('alice', GOOD_PASSWORD, 'x;rm')).resolves.toBe(true);
    expect(pam.calls.map((c) => [c.user, c.password.length, c.options])).toEqual([
      ['_pi-user9', 126, { serviceName: 'printos', remoteHost: '10.1.2.3' }],
      ['alice', GOOD_PASSWORD.length, { serviceName: 'printos' }],
    ]);
  });

  it('accepts root when the caller lifts the default refusal', async () => {
    const pam = fakePam();
    const checker = createPamChecker({
      log: silentLogger(),
      refuseUsers: [],
      loadBinding: pam.loadBinding,
    });
    await expect(checker.check('root', GOOD_PASSWORD)).resolves.toBe(true);
  });

  it('rejects a service name that could name a path', () => {
    for (const service of ['../etc/x', '', 'a b', 'Login']) {
      expect(() => createPamChecker({ service, log: silentLogger() })).toThrow(PrintosError);
    }
  });
});

describe('createPamChecker, PAM answers', () => {
  const refusals = [
    'Authentication failure',
    'User not known to the underlying authentication module',
    'Authentifizierungsfehler', // unknown (translated) texts refuse too
  ];
  for (const answer of refusals) {
    it(`answers false for "${answer}"`, async () => {
      const checker = createPamChecker({
        log: silentLogger(),
        loadBinding: fakePam(answer).loadBinding,
      });
      await expect(checker.check('alice', GOOD_PASSWORD)).resolves.toBe(false);
    });
  }

  for (const answer of ['Module is unknown', 'pam_start: ', 'Failed to load module']) {
    it(`throws INTERNAL for "${answer}", logged once, without the password`, async () => {
      const memory = memoryLog();
      const checker = createPamChecker({
        log: memory.log,
        loadBinding: fakePam(answer).loadBinding,
      });
      for (let i = 0; i < 3; i++) {
        const err = await checker.check('alice', GOOD_PASSWORD).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PrintosError);
        expect((err as PrintosError).code).toBe('INTERNAL');
        expect((err as PrintosError).message).toMatch(/PAM service "login" cannot run/);
      }
      expect(memory.text().match(/PAM cannot run/g)).toHaveLength(1);
      expect(memory.text()).not.toContain(GOOD_PASSWORD);
    });
  }

  it('throws INTERNAL when the binding cannot load, logged once', async () => {
    const memory = memoryLog();
    const checker = createPamChecker({
      log: memory.log,
      loadBinding: () => {
        throw new Error('Cannot find module authenticate_pam.node');
      },
    });
    for (let i = 0; i < 2; i++) {
      await expect(checker.check('alice', GOOD_PASSWORD)).rejects.toMatchObject({
        code: 'INTERNAL',
        message: expect.stringMatching(/PAM cannot load/),
      });
    }
    expect(memory.text().match(/cannot load/g)).toHaveLength(1);
  });

  it('never logs the password, whatever PAM answers', async () => {
    const memory = memoryLog();
    for (const answer of [undefined, 'Authentication failure', 'Odd answer', 'System error']) {
      const checker = createPamChecker({
        log: memory.log,
        loadBinding: fakePam(answer).loadBinding,
      });
      await checker.check('alice', GOOD_PASSWORD).catch(() => undefined);
      await checker.check('Bad User', GOOD_PASSWORD);
    }
    expect(memory.text()).not.toContain(GOOD_PASSWORD);
  });
});

describe('createPamChecker, concurrency', () => {
  it('runs at most maxConcurrent checks and queues the rest', async () => {
    const pam = fakePam('hold');
    const checker = createPamChecker({
      log: silentLogger(),
      maxConcurrent: 2,
      maxQueued: 1,
      loadBinding: pam.loadBinding,
    });
    const first = checker.check('a1', GOOD_PASSWORD);
    const second = checker.check('a2', GOOD_PASSWORD);
    const third = checker.check('a3', GOOD_PASSWORD);
    await new Promise((r) => setImmediate(r));
    expect(pam.calls.map((c) => c.user)).toEqual(['a1', 'a2']);
    // The queue holds one; the next is turned away rather than piling up.
    await expect(checker.check('a4', GOOD_PASSWORD)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    pam.calls[0]?.answer('Authentication failure');
    await expect(first).resolves.toBe(false);
    await new Promise((r) => setImmediate(r));
    expect(pam.calls.map((c) => c.user)).toEqual(['a1', 'a2', 'a3']);
    pam.calls[1]?.answer();
    pam.calls[2]?.answer();
    await expect(Promise.all([second, third])).resolves.toEqual([true, true]);
  });
});

describeAsRoot('createPamChecker with the real PAM', 'creates OS users and PAM services', () => {
  it('accepts the right password and refuses a wrong one and an unknown user', async () => {
    await withOsUser(async (user) => {
      const checker = createPamChecker({ log: silentLogger(), maxConcurrent: 3 });
      // The `login` service delays each failure ~3 s (pam_faildelay): run them together.
      const [right, wrong, unknown] = await Promise.all([
        checker.check(user.name, user.password),
        checker.check(user.name, `${user.password}x`),
        checker.check(`${user.name}n`, user.password),
      ]);
      expect({ right, wrong, unknown }).toEqual({ right: true, wrong: false, unknown: false });
    });
  });

  it('refuses a password whose first 126 bytes are right (no silent truncation)', async () => {
    const password = 'A1-'.repeat(42).slice(0, 126);
    await withOsUser(
      async (user) => {
        const checker = createPamChecker({ log: silentLogger() });
        expect(await checker.check(user.name, password)).toBe(true);
        expect(await checker.check(user.name, `${password}zzz`)).toBe(false);
      },
      { password },
    );
  });

  it('throws INTERNAL for a PAM service whose module is missing', async () => {
    const service = `printos-test-${randomBytes(4).toString('hex')}`;
    const file = `/etc/pam.d/${service}`;
    await writeFile(file, 'auth required pam_printos_missing_module.so\n', { flag: 'wx' });
    try {
      const memory = memoryLog();
      const checker = createPamChecker({ service, log: memory.log });
      await expect(checker.check('nobody', 'whatever')).rejects.toMatchObject({
        code: 'INTERNAL',
      });
      expect(memory.text()).toContain('Module is unknown');
    } finally {
      await rm(file, { force: true });
    }
  });
});
