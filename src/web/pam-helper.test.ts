import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import { choosePasswordChecker, createPamHelperChecker } from './pam-helper.js';

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

interface Received {
  request: Buffer;
  /** The client closed its side after the request (the helper reads to EOF at most). */
  ended: boolean;
  socket: Socket;
}

/** What the fake helper does with each connection once the request is in. */
type Behaviour = (conn: Received) => void;

let dir: string;
let server: Server | undefined;
let socketPath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-pam-helper-'));
  socketPath = join(dir, 'pam.sock');
});
afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A fake helper on a unix socket: collects the request until the client's end. */
async function fakeHelper(behaviour: Behaviour): Promise<Received[]> {
  const seen: Received[] = [];
  const open = new Set<Socket>();
  server = createServer({ allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    const chunks: Buffer[] = [];
    const conn: Received = { request: Buffer.alloc(0), ended: false, socket };
    seen.push(conn);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      conn.request = Buffer.concat(chunks);
    });
    socket.on('end', () => {
      conn.ended = true;
      behaviour(conn);
    });
  });
  const original = server.close.bind(server);
  server.close = (cb) => {
    for (const socket of open) socket.destroy();
    return original(cb);
  };
  await new Promise<void>((done) => server?.listen(socketPath, done));
  return seen;
}

const answer =
  (text: string): Behaviour =>
  ({ socket }) =>
    socket.end(text);

const PASSWORD = 'correct horse';

function checker(over: Partial<Parameters<typeof createPamHelperChecker>[0]> = {}) {
  return createPamHelperChecker({ socketPath, log: silentLogger(), timeoutMs: 2000, ...over });
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PrintosError) return err.code;
    throw err;
  }
  return undefined;
}

describe('createPamHelperChecker, answers', () => {
  it('sends one request, user NUL password NUL peer NUL, then closes its side', async () => {
    const seen = await fakeHelper(answer('OK\n'));
    await expect(checker().check('alice', PASSWORD, '10.1.2.3')).resolves.toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.ended).toBe(true);
    expect(seen[0]?.request.toString('utf8')).toBe(`alice\0${PASSWORD}\x0010.1.2.3\0`);
  });

  it.each([
    [undefined, ''],
    ['x;rm -rf /', ''],
    ['fe80::1%eth0', 'fe80::1'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ])('sends the peer %j as %j', async (peer, sent) => {
    const seen = await fakeHelper(answer('FAIL\n'));
    await expect(checker().check('alice', PASSWORD, peer)).resolves.toBe(false);
    expect(seen[0]?.request.toString('utf8')).toBe(`alice\0${PASSWORD}\0${sent}\0`);
  });

  it('sends a long multi-byte password whole (the helper takes 1024 bytes)', async () => {
    const seen = await fakeHelper(answer('OK\n'));
    const password = 'é'.repeat(512); // 1024 bytes
    await expect(checker().check('alice', password)).resolves.toBe(true);
    expect(seen[0]?.request.toString('utf8')).toBe(`alice\0${password}\0\0`);
  });

  it.each([
    ['ERROR pam_start: Critical error - immediate abort\n', /cannot check: pam_start/],
    ['ERROR bad request\n', /cannot check: bad request/],
    ['OK', /closed|not OK/], // no newline before the end
    ['ok\n', /not OK, FAIL or ERROR/],
    ['OK\nOK\n', /not OK, FAIL or ERROR/],
    ['FAIL \n', /not OK, FAIL or ERROR/],
    ['ERROR \n', /not OK, FAIL or ERROR/],
    ['ERROR a\rb\n', /not OK, FAIL or ERROR/],
    [`${'x'.repeat(600)}`, /not OK, FAIL or ERROR/],
    ['', /closed the connection without an answer/],
  ])('answer %j: INTERNAL, logged once, never a yes', async (text, message) => {
    await fakeHelper(answer(text));
    const memory = memoryLog();
    const check = checker({ log: memory.log });
    for (let i = 0; i < 2; i++) {
      const err = await check.check('alice', PASSWORD).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrintosError);
      expect((err as PrintosError).code).toBe('INTERNAL');
      expect((err as PrintosError).message).toMatch(message);
    }
    expect(memory.text().match(/"level":50/g)).toHaveLength(1);
    expect(memory.text()).not.toContain(PASSWORD);
  });

  it('a helper that never answers: INTERNAL after the timeout, and the connection closed', async () => {
    const seen = await fakeHelper(() => {});
    const started = Date.now();
    const err = await checker({ timeoutMs: 150 })
      .check('alice', PASSWORD)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/150 ms/) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    await new Promise<void>((done) => {
      const socket = seen[0]?.socket;
      if (!socket || socket.destroyed || socket.readableEnded) return done();
      socket.on('close', () => done());
    });
  });

  it('a helper that goes away mid-answer, or resets: INTERNAL', async () => {
    await fakeHelper(({ socket }) => socket.destroy());
    expect(await codeOf(checker().check('alice', PASSWORD))).toBe('INTERNAL');
  });

  it('no helper: INTERNAL naming the socket problem', async () => {
    const err = await checker()
      .check('alice', PASSWORD)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INTERNAL', message: expect.stringMatching(/ENOENT/) });
    await writeFile(socketPath, 'not a socket');
    expect(await codeOf(checker().check('alice', PASSWORD))).toBe('INTERNAL');
  });
});

describe('createPamHelperChecker, input checks', () => {
  it.each<[string, unknown, unknown]>([
    ['upper-case user', 'Alice', PASSWORD],
    ['user with a NUL', 'al\0ice', PASSWORD],
    ['user not a string', 42, PASSWORD],
    ['empty password', 'alice', ''],
    ['password with a NUL', 'alice', 'a\0b'],
    ['password over 1024 bytes', 'alice', 'é'.repeat(513)],
    ['password not a string', 'alice', { length: 3 }],
    ['root', 'root', PASSWORD],
  ])('refuses %s without asking the helper', async (_what, user, password) => {
    const seen = await fakeHelper(answer('OK\n'));
    await expect(checker().check(user as string, password as string)).resolves.toBe(false);
    expect(seen).toHaveLength(0);
  });
});

describe('createPamHelperChecker, concurrency', () => {
  it('runs at most maxConcurrent checks, queues maxQueued, turns the rest away', async () => {
    const seen = await fakeHelper(() => {}); // held until answered below
    const check = checker({ maxConcurrent: 2, maxQueued: 1 });
    const first = check.check('a1', PASSWORD);
    const second = check.check('a2', PASSWORD);
    const third = check.check('a3', PASSWORD);
    await until(() => seen.filter((c) => c.ended).length === 2);
    await expect(check.check('a4', PASSWORD)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(seen).toHaveLength(2);
    seen[0]?.socket.end('FAIL\n');
    await expect(first).resolves.toBe(false);
    await until(() => seen.filter((c) => c.ended).length === 3);
    expect(seen.map((c) => c.request.toString().split('\0')[0])).toEqual(['a1', 'a2', 'a3']);
    seen[1]?.socket.end('OK\n');
    seen[2]?.socket.end('OK\n');
    await expect(Promise.all([second, third])).resolves.toEqual([true, true]);
  });
});

describe('choosePasswordChecker', () => {
  it('uses the helper when PRINTOS_PAM_SOCKET names a socket', async () => {
    const seen = await fakeHelper(answer('OK\n'));
    const memory = memoryLog();
    const chosen = choosePasswordChecker({
      log: memory.log,
      env: { PRINTOS_PAM_SOCKET: socketPath },
    });
    await expect(chosen.check('alice', PASSWORD)).resolves.toBe(true);
    expect(seen).toHaveLength(1);
    expect(memory.text()).toContain('through the PAM helper');
  });

  it('falls back to PAM in-process, with a warning, when the socket is missing', () => {
    const memory = memoryLog();
    const calls: string[] = [];
    choosePasswordChecker({
      log: memory.log,
      env: { PRINTOS_PAM_SOCKET: join(dir, 'missing.sock') },
      isSocket: (path) => {
        calls.push(path);
        return false;
      },
    });
    expect(calls).toEqual([join(dir, 'missing.sock')]);
    expect(memory.text()).toMatch(/names no socket.*falls back to PAM in this process/);
  });

  it('uses PAM in-process, silently, without PRINTOS_PAM_SOCKET (or with it empty)', () => {
    for (const env of [{}, { PRINTOS_PAM_SOCKET: '' }]) {
      const memory = memoryLog();
      choosePasswordChecker({ log: memory.log, env });
      expect(memory.text()).toBe('');
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  expect(condition()).toBe(true);
}
