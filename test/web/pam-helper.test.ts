/**
 * The root PAM helper (native/printos-pam-helper.c) with the machine's real PAM: built with
 * install's flags (-Werror added), run the way systemd's Accept=yes socket runs it (one
 * process per connection, the connection as its stdin and stdout), against a temporary
 * /etc/pam.d service holding packaging/printos.pam, with throw-away OS accounts. Root only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { createPamHelperChecker } from '../../src/web/pam-helper.js';
import { buildHelper, buildSkipReason, REPO } from '../service/pam-helper-build.js';
import { type OsUser, withOsUser } from './support/os-user.js';
import { runOk } from './support/process.js';
import { rootSkipReason } from './support/root.js';

const skip = rootSkipReason('creates OS users and a PAM service') ?? buildSkipReason();
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((path) => existsSync(path));

interface Helper {
  socketPath: string;
  /** Exit codes and signals of every helper process that ended. */
  exits: { code: number | null; signal: NodeJS.Signals | null }[];
  close(): Promise<void>;
}

/**
 * A tiny Accept=yes: each connection is handed, unread (pauseOnConnect), to a fresh helper
 * process as fd 0 and 1; our copy is closed at once, so the helper alone holds it.
 */
async function serveHelper(argv: string[], socketPath: string): Promise<Helper> {
  const exits: Helper['exits'] = [];
  const children = new Set<ChildProcess>();
  const server: Server = createServer({ pauseOnConnect: true }, (socket) => {
    const [cmd, ...args] = argv as [string, ...string[]];
    const child = spawn(cmd, args, { stdio: [socket, socket, 'ignore'], env: {} });
    children.add(child);
    child.on('exit', (code, signal) => {
      children.delete(child);
      exits.push({ code, signal });
    });
    socket.destroy();
  });
  await new Promise<void>((done) => server.listen(socketPath, done));
  return {
    socketPath,
    exits,
    close: async () => {
      for (const child of children) child.kill('SIGKILL');
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/**
 * One raw request; resolves with everything the helper wrote before closing. A helper that
 * stops reading an oversized request makes our write fail (EPIPE): what it answered counts.
 */
function ask(socketPath: string, request: Buffer | string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(socketPath, () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', () => {});
  });
}

const req = (user: string, password: string, peer = '') => `${user}\0${password}\0${peer}\0`;

/** Several throw-away accounts at once. */
async function withOsUsers<T>(count: number, fn: (users: OsUser[]) => Promise<T>): Promise<T> {
  if (count === 0) return fn([]);
  return withOsUser((first) => withOsUsers(count - 1, (rest) => fn([first, ...rest])));
}

describe.skipIf(skip !== undefined)(
  skip ? `the PAM helper with the real PAM [skipped: ${skip}]` : 'the PAM helper with the real PAM',
  () => {
    let dir: string;
    let binary: string;
    let service: string;
    let helper: Helper;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'printos-pam-helper-'));
      binary = await buildHelper(join(dir, 'printos-pam-helper'));
      // The stack install writes to /etc/pam.d/printos, under a name of our own.
      service = `printos-test-${randomBytes(4).toString('hex')}`;
      const stack = await readFile(join(REPO, 'packaging', 'printos.pam'), 'utf8');
      await writeFile(`/etc/pam.d/${service}`, stack, { flag: 'wx' });
      helper = await serveHelper([binary, service], join(dir, 'pam.sock'));
    });

    afterAll(async () => {
      await helper?.close();
      if (service) await rm(`/etc/pam.d/${service}`, { force: true });
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it.each<[string, Buffer | string]>([
      ['a user over 64 bytes', req('a'.repeat(65), 'pw')],
      ['an upper-case user', req('Alice', 'pw')],
      ['a user with a slash', req('a/b', 'pw')],
      ['a password over 1024 bytes', req('alice', 'p'.repeat(1025))],
      ['a peer that is not an IP literal', req('alice', 'pw', 'example.org')],
      ['a fourth field', `${req('alice', 'pw')}more\0`],
      ['bytes after the third NUL', `${req('alice', 'pw')}x`],
      ['two fields, then the end', 'alice\0pw\0'],
      ['nothing at all', ''],
      ['10 kB without a NUL', 'x'.repeat(10_000)],
      ['1 MB of NULs', Buffer.alloc(1 << 20)],
    ])('ERROR bad request for %s, without a crash', async (_what, request) => {
      const before = helper.exits.length;
      expect(await ask(helper.socketPath, request)).toBe('ERROR bad request\n');
      await until(() => helper.exits.length > before);
      expect(helper.exits.slice(before)).toEqual([{ code: 0, signal: null }]);
    });

    // PAM delays every failure by ~2 s: the checks below run side by side.
    it.concurrent('OK for the right password; FAIL for wrong, unknown, expired, locked, must-change, root', async () => {
      await withOsUsers(4, async (users) => {
        const [a, b, c, d] = users as [OsUser, OsUser, OsUser, OsUser];
        await runOk('chage', ['-E', '0', b.name]); // the account expired in 1970
        await runOk('passwd', ['-l', c.name]); // password locked ("!" before the hash)
        await runOk('chage', ['-d', '0', d.name]); // must change the password first
        // Failures wait out pam_unix's delay (~2 s): all at once.
        const answers = await Promise.all([
          ask(helper.socketPath, req(a.name, a.password, '192.0.2.7')),
          ask(helper.socketPath, req(a.name, `${a.password}x`)),
          ask(helper.socketPath, req(`${a.name}n`, a.password)),
          ask(helper.socketPath, req(b.name, b.password)),
          ask(helper.socketPath, req(c.name, c.password)),
          ask(helper.socketPath, req(d.name, d.password, '2001:db8::1')),
          ask(helper.socketPath, req('root', 'whatever')),
          ask(helper.socketPath, req(a.name, '')),
        ]);
        expect(answers).toEqual(['OK\n', ...Array(7).fill('FAIL\n')]);
      });
    });

    it.concurrent("takes PAM's longest password (511 bytes), refuses a longer one that starts with it", async () => {
      // PAM_MAX_RESP_SIZE: pam_unix sets and checks at most 511 bytes; the wire allows 1024,
      // and a longer password is refused, not cut to its first 511 bytes.
      const password = `A1-${'p'.repeat(508)}`;
      await withOsUser(
        async (user) => {
          const answers = await Promise.all([
            ask(helper.socketPath, req(user.name, password)),
            ask(helper.socketPath, req(user.name, `${password}${'q'.repeat(513)}`)),
          ]);
          expect(answers).toEqual(['OK\n', 'FAIL\n']);
        },
        { password },
      );
    });

    it.concurrent('takes a 64-byte user name (unknown here: a refusal, not a bad request)', async () => {
      expect(await ask(helper.socketPath, req(`u${'x'.repeat(63)}`, 'pw'))).toBe('FAIL\n');
    });

    it.concurrent('ERROR, not FAIL, when the PAM service cannot run', async () => {
      const broken = await serveHelper([binary, 'printos-missing-service-x'], join(dir, 'b.sock'));
      const other = `printos-test-${randomBytes(4).toString('hex')}`;
      await writeFile(`/etc/pam.d/${other}`, 'auth required pam_printos_missing.so\n', {
        flag: 'wx',
      });
      const worse = await serveHelper([binary, other], join(dir, 'c.sock'));
      try {
        // A missing service falls back to /etc/pam.d/other (Debian: deny), a refusal.
        expect(await ask(broken.socketPath, req('nobody', 'pw'))).toBe('FAIL\n');
        expect(await ask(worse.socketPath, req('nobody', 'pw'))).toMatch(
          /^ERROR pam_authenticate: Module is unknown\n$/,
        );
        const usage = await serveHelper([binary, '../etc/passwd'], join(dir, 'd.sock'));
        expect(await ask(usage.socketPath, req('nobody', 'pw'))).toMatch(/^ERROR usage: /);
        await usage.close();
      } finally {
        await broken.close();
        await worse.close();
        await rm(`/etc/pam.d/${other}`, { force: true });
      }
    });

    it.skipIf(!SETPRIV).concurrent(
      "works with the unit's rights: CAP_AUDIT_WRITE only, no new privileges",
      async () => {
        const limited = await serveHelper(
          [
            SETPRIV as string,
            '--bounding-set=-all,+audit_write',
            '--inh-caps=-all',
            '--no-new-privs',
            binary,
            service,
          ],
          join(dir, 'limited.sock'),
        );
        try {
          await withOsUser(async (user) => {
            const answers = await Promise.all([
              ask(limited.socketPath, req(user.name, user.password)),
              ask(limited.socketPath, req(user.name, `${user.password}x`)),
            ]);
            expect(answers).toEqual(['OK\n', 'FAIL\n']);
          });
        } finally {
          await limited.close();
        }
      },
    );

    it.concurrent('through createPamHelperChecker: right yes, wrong and expired no', async () => {
      await withOsUsers(2, async (users) => {
        const [a, b] = users as [OsUser, OsUser];
        await runOk('chage', ['-E', '0', b.name]);
        const checker = createPamHelperChecker({
          socketPath: helper.socketPath,
          log: silentLogger(),
          maxConcurrent: 3,
        });
        const results = await Promise.all([
          checker.check(a.name, a.password, '127.0.0.1'),
          checker.check(a.name, `${a.password}x`),
          checker.check(b.name, b.password),
        ]);
        expect(results).toEqual([true, false, false]);
      });
    });
  },
);

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(condition()).toBe(true);
}
