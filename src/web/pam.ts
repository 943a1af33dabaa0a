/**
 * Checks the password of an OS account through PAM in this process: screen 1's "device
 * account" (the SSH credentials). Wraps the native authenticate-pam binding, loaded on first
 * use so that a machine without it can still serve loopback users.
 *
 * The installed service does NOT use this: it asks the root PAM helper over a socket
 * (pam-helper.ts, native/printos-pam-helper.c, docs/service.md), so that the Node process
 * never reads password hashes. This binding is the fallback when PRINTOS_PAM_SOCKET names no
 * socket (wiring.ts): development, and printos run by hand as root.
 *
 * Who may check whom here: pam_unix reads /etc/shadow when it runs as root; otherwise it asks
 * the setgid helper unix_chkpwd, which only checks the password of the user the process runs
 * as (and cannot gain its group under NoNewPrivileges). A non-root process therefore refuses
 * every other account, exactly as if the password were wrong.
 *
 * Only pam_authenticate runs (the binding has no pam_acct_mgmt): an account whose password is
 * locked fails, but an account past its expiry date is not refused by this check. The helper
 * runs pam_acct_mgmt too.
 */
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { PrintosError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/log.js';

export interface PasswordChecker {
  /**
   * True for the right password, false for any refusal (also for malformed input). Throws a
   * PrintosError only when PAM cannot run (INTERNAL) or too many checks wait (RATE_LIMITED).
   * `peer` is the client's IP address, passed to PAM as PAM_RHOST (pam_access, auth.log).
   */
  check(user: string, password: string, peer?: string): Promise<boolean>;
}

/** The native binding: the callback gets PAM's error text, or nothing on success. */
export interface PamBinding {
  authenticate(
    user: string,
    password: string,
    callback: (err?: string) => void,
    options?: { serviceName?: string; remoteHost?: string },
  ): void;
}

export interface PamCheckerOptions {
  /** The /etc/pam.d service; `login` is on every Debian. */
  service?: string;
  log: Logger;
  /** Checks running at once (see LIMITS); more wait in a queue. */
  maxConcurrent?: number;
  /** Checks allowed to wait; beyond it a check fails with RATE_LIMITED. */
  maxQueued?: number;
  /** Accounts never accepted here, whatever the password. */
  refuseUsers?: readonly string[];
  /** Tests pass a fake; the default loads authenticate-pam on first use. */
  loadBinding?: () => PamBinding;
}

const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const SERVICE_NAME = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const MAX_PASSWORD_CHARS = 1024;
/**
 * authenticate-pam copies the password into a 128-byte buffer it does not clear, writing at
 * most 127 bytes and the terminating NUL only when it fits: 127 bytes and more arrive
 * truncated or with garbage after them. Such passwords are refused instead.
 */
const MAX_PASSWORD_BYTES = 126;

/**
 * Why a concurrency limit: the binding runs PAM on libuv's thread pool (4 threads by
 * default), and a failed check holds its thread for the failure delay (pam_faildelay: 3 s
 * for `login` on Debian). Unbounded, a few wrong passwords would stall every file, DNS and
 * crypto call of the whole service.
 */
export const LIMITS = { maxConcurrent: 2, maxQueued: 16 };

/** PAM's answers that mean "no": wrong password, unknown user, and the like. */
const REFUSALS = new Set([
  'Authentication failure',
  'User not known to the underlying authentication module',
  'Insufficient credentials to access authentication data',
  'Have exhausted maximum number of retries for service',
  'Authentication token is no longer valid; new one required',
  'User account has expired',
  'Permission denied',
]);

/** PAM's answers that mean the stack itself is broken (module missing, bad config). */
const BROKEN = [
  /^pam_start/,
  /^pam_set_item/,
  /^Module is unknown$/,
  /^Failed to load module$/,
  /^Symbol not found$/,
  /^Error in service module$/,
  /^System error$/,
  /^Critical error - immediate abort$/,
  /^Memory buffer error$/,
  /^Authentication service cannot retrieve authentication info$/,
];

/** Whether `user` is a name this checker would hand to PAM. */
export function isPlausibleUser(user: string): boolean {
  return USER_NAME.test(user);
}

export function createPamChecker(options: PamCheckerOptions): PasswordChecker {
  const service = options.service ?? 'login';
  if (!SERVICE_NAME.test(service)) {
    throw new PrintosError('CONFIG_INVALID', `PAM service name "${service}" is not valid`, {
      service,
    });
  }
  const log = options.log;
  const refused = new Set(options.refuseUsers ?? ['root']);
  const slots = createSlots(
    options.maxConcurrent ?? LIMITS.maxConcurrent,
    options.maxQueued ?? LIMITS.maxQueued,
  );
  const loadBinding = options.loadBinding ?? loadAuthenticatePam;
  // Per checker, not per module: each kind of trouble is logged once.
  const logged = new Set<string>();
  const once = (key: string, write: () => void) => {
    if (logged.has(key)) return;
    logged.add(key);
    write();
  };

  const binding = (): PamBinding => {
    try {
      return loadBinding();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      once('load', () => log.error({ reason }, 'PAM binding (authenticate-pam) cannot load'));
      throw new PrintosError('INTERNAL', 'OS account sign-in is unavailable: PAM cannot load', {
        reason,
      });
    }
  };

  const authenticate = (user: string, password: string, remoteHost: string | undefined) => {
    const pam = binding();
    const pamOptions = remoteHost ? { serviceName: service, remoteHost } : { serviceName: service };
    return new Promise<string | undefined>((resolve, reject) => {
      try {
        pam.authenticate(user, password, (err) => resolve(err), pamOptions);
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        reject(new PrintosError('INTERNAL', 'OS account sign-in failed inside PAM', { reason }));
      }
    });
  };

  const interpret = (err: string | undefined): boolean => {
    if (err === undefined || err === null || err === '') return true;
    if (REFUSALS.has(err)) return false;
    if (BROKEN.some((pattern) => pattern.test(err))) {
      once(`broken:${err}`, () => log.error({ service, pamError: err }, 'PAM cannot run'));
      throw new PrintosError(
        'INTERNAL',
        `OS account sign-in is unavailable: PAM service "${service}" cannot run (${err})`,
        { service },
      );
    }
    // An answer we do not know (a translated message, an odd module): refuse, and say so once.
    once(`unknown:${err}`, () => log.warn({ service, pamError: err }, 'PAM refused'));
    return false;
  };

  return {
    async check(user, password, peer) {
      if (!acceptableInput(user, password) || refused.has(user)) return false;
      const remoteHost = typeof peer === 'string' && isIP(peer) ? peer : undefined;
      const release = await slots.acquire();
      try {
        return interpret(await authenticate(user, password, remoteHost));
      } finally {
        release();
      }
    },
  };
}

/** The older name, kept for callers written against it; prefer createPamChecker. */
export function pamPasswordChecker(
  options: { service?: string; maxQueued?: number; binding?: () => PamBinding; log?: Logger } = {},
): PasswordChecker {
  return createPamChecker({
    log: options.log ?? silentLogger(),
    ...(options.service ? { service: options.service } : {}),
    ...(options.maxQueued !== undefined ? { maxQueued: options.maxQueued } : {}),
    ...(options.binding ? { loadBinding: options.binding } : {}),
  });
}

/** Shape checks before PAM sees anything: a refusal, never an exception, for bad input. */
function acceptableInput(user: unknown, password: unknown): user is string {
  if (typeof user !== 'string' || typeof password !== 'string') return false;
  if (!USER_NAME.test(user)) return false;
  // Empty passwords: pam_unix's `nullok` would accept them for a password-less account.
  if (password.length === 0 || password.length > MAX_PASSWORD_CHARS) return false;
  if (password.includes('\0')) return false;
  return Buffer.byteLength(password, 'utf8') <= MAX_PASSWORD_BYTES;
}

function loadAuthenticatePam(): PamBinding {
  const loaded: unknown = createRequire(import.meta.url)('authenticate-pam');
  const authenticate = (loaded as { authenticate?: unknown } | null)?.authenticate;
  if (typeof authenticate !== 'function') {
    throw new Error('authenticate-pam has no authenticate() function');
  }
  return loaded as PamBinding;
}

/** A counting semaphore with a bounded queue (see LIMITS for why; pam-helper.ts shares it). */
export function createSlots(max: number, maxQueued: number) {
  let busy = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else busy--;
  };
  return {
    acquire(): Promise<() => void> {
      if (busy < max) {
        busy++;
        return Promise.resolve(release);
      }
      if (waiting.length >= maxQueued) {
        return Promise.reject(
          new PrintosError('RATE_LIMITED', 'Too many sign-in attempts at once; try again shortly'),
        );
      }
      return new Promise((resolve) => waiting.push(() => resolve(release)));
    },
  };
}
