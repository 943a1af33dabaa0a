/**
 * Checks OS account passwords through the root PAM helper: the installed service's
 * PasswordChecker (docs/service.md). The service runs unprivileged and never reads password
 * hashes; systemd starts native/printos-pam-helper.c as root for each connection to its
 * socket (printos-pam.socket, Accept=yes), which runs pam_authenticate and pam_acct_mgmt
 * (so expired and locked accounts are refused) and answers one line.
 *
 * The wire: one request per connection, `<user>\0<password>\0<peer IP or empty>\0`, then
 * our side closes for writing; the answer is exactly `OK\n`, `FAIL\n` or `ERROR <text>\n`.
 * Anything else, no answer in time, or no helper at all: INTERNAL (logged; the routes then
 * refuse the sign-in), never a crash and never a yes.
 */
import { statSync } from 'node:fs';
import { connect, isIP } from 'node:net';
import { PrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  createPamChecker,
  createSlots,
  isPlausibleUser,
  LIMITS,
  type PasswordChecker,
} from './pam.js';

export interface PamHelperCheckerOptions {
  /** The helper's socket (the unit's PRINTOS_PAM_SOCKET, /run/printos/pam.sock). */
  socketPath: string;
  log: Logger;
  /** One check, PAM's failure delay included; the helper's unit stops it after 30 s. */
  timeoutMs?: number;
  /** Checks at once (the socket takes 4 connections); more wait in a queue. */
  maxConcurrent?: number;
  /** Checks allowed to wait; beyond it a check fails with RATE_LIMITED. */
  maxQueued?: number;
  /** Accounts never accepted here (the helper itself refuses uid 0 too). */
  refuseUsers?: readonly string[];
}

/** The helper's limits (native/printos-pam-helper.c): longer input is a bad request there. */
const MAX_PASSWORD_BYTES = 1024;
/** An answer is a few bytes; "ERROR " and a PAM message at most ~250. */
const MAX_ANSWER_BYTES = 512;
const DEFAULT_TIMEOUT_MS = 30_000;

type Asked =
  | { line: string }
  | { problem: 'unreachable'; code: string }
  | { problem: 'timeout' | 'closed' | 'garbage' };

export function createPamHelperChecker(options: PamHelperCheckerOptions): PasswordChecker {
  const { socketPath, log } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const refused = new Set(options.refuseUsers ?? ['root']);
  const slots = createSlots(
    options.maxConcurrent ?? LIMITS.maxConcurrent,
    options.maxQueued ?? LIMITS.maxQueued,
  );
  // Per checker: each kind of trouble is logged once, however often a visitor triggers it.
  const logged = new Set<string>();
  const unavailable = (key: string, why: string, fields: Record<string, unknown> = {}) => {
    if (!logged.has(key)) {
      logged.add(key);
      log.error({ socketPath, ...fields }, `PAM helper: ${why}`);
    }
    return new PrintosError(
      'INTERNAL',
      `OS account sign-in is unavailable: the PAM helper ${why}`,
      {
        socketPath,
      },
    );
  };

  const interpret = (asked: Asked): boolean => {
    if ('line' in asked) {
      if (asked.line === 'OK') return true;
      if (asked.line === 'FAIL') return false;
      const error = /^ERROR (\P{Cc}{1,400})$/u.exec(asked.line);
      if (error?.[1]) throw unavailable(`error:${error[1]}`, `cannot check: ${error[1]}`);
      throw unavailable('garbage', 'answered something that is not OK, FAIL or ERROR');
    }
    switch (asked.problem) {
      case 'unreachable':
        throw unavailable(`unreachable:${asked.code}`, `cannot be reached (${asked.code})`, {
          code: asked.code,
        });
      case 'timeout':
        throw unavailable('timeout', `did not answer within ${timeoutMs} ms`);
      case 'closed':
        throw unavailable('closed', 'closed the connection without an answer');
      case 'garbage':
        throw unavailable('garbage', 'answered something that is not OK, FAIL or ERROR');
    }
  };

  return {
    async check(user, password, peer) {
      if (!acceptableInput(user, password) || refused.has(user)) return false;
      const release = await slots.acquire();
      try {
        const request = Buffer.from(`${user}\0${password}\0${peerAddress(peer)}\0`, 'utf8');
        return interpret(await ask(socketPath, request, timeoutMs));
      } finally {
        release();
      }
    },
  };
}

/**
 * The checker the service uses: the helper when `PRINTOS_PAM_SOCKET` names a socket (the
 * installed unit sets it), else the in-process binding (development, runs as root), which
 * refuses other accounts when not root.
 */
export function choosePasswordChecker(input: {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  isSocket?: (path: string) => boolean;
}): PasswordChecker {
  const socketPath = (input.env ?? process.env).PRINTOS_PAM_SOCKET;
  const isSocket = input.isSocket ?? isUnixSocket;
  if (socketPath && isSocket(socketPath)) {
    input.log.info({ socketPath }, 'OS account sign-in: through the PAM helper');
    return createPamHelperChecker({ socketPath, log: input.log });
  }
  if (socketPath) {
    input.log.warn(
      { socketPath },
      'PRINTOS_PAM_SOCKET names no socket (is printos-pam.socket running?): OS account sign-in ' +
        'falls back to PAM in this process, which refuses other accounts unless it runs as root',
    );
  }
  return createPamChecker({ log: input.log });
}

function isUnixSocket(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isSocket() === true;
}

/** One connection, one request, one line back; the request buffer is zeroed afterwards. */
function ask(socketPath: string, request: Buffer, timeoutMs: number): Promise<Asked> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let received = Buffer.alloc(0);
    let connected = false;
    let done = false;
    const finish = (result: Asked) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      request.fill(0);
      resolve(result);
    };
    const timer = setTimeout(() => finish({ problem: 'timeout' }), timeoutMs);
    socket.on('connect', () => {
      connected = true;
      // Half-close: the helper reads to the third NUL; the end tells it nothing more comes.
      socket.end(request);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const newline = received.indexOf(0x0a);
      if (newline === received.length - 1) {
        finish({ line: received.subarray(0, newline).toString('utf8') });
      } else if (newline >= 0 || received.length > MAX_ANSWER_BYTES) {
        finish({ problem: 'garbage' });
      }
    });
    socket.on('end', () => finish({ problem: received.length > 0 ? 'garbage' : 'closed' }));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      finish(connected ? { problem: 'closed' } : { problem: 'unreachable', code: err.code ?? '?' });
    });
  });
}

/** Shape checks before the helper sees anything: a refusal, never an exception. */
function acceptableInput(user: unknown, password: unknown): user is string {
  if (typeof user !== 'string' || typeof password !== 'string') return false;
  if (!isPlausibleUser(user)) return false;
  // Empty passwords: pam_unix's `nullok` would accept them for a password-less account.
  if (password.length === 0 || password.includes('\0')) return false;
  return Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
}

/** An IP literal for PAM_RHOST, without an IPv6 zone (`fe80::1%eth0`); '' when unknown. */
function peerAddress(peer: string | undefined): string {
  if (typeof peer !== 'string') return '';
  const address = peer.split('%')[0] ?? '';
  return isIP(address) ? address : '';
}
