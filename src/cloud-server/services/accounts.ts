/**
 * Accounts: sign-up, password checks (throttled, same answer and cost for an unknown
 * account), StreamerAPI user tokens, API tokens, and the password-reset flow.
 */
import { z } from 'zod';
import { PrintosError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { passwordDigest } from '../../streamer-api/index.js';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  randomToken,
  tokenHash,
  verifyPassword,
} from '../crypto.js';
import type { AccountRow, HostInfo } from '../store/accounts.js';
import type { Store } from '../store/index.js';
import type { Mailer } from './mailer.js';
import type { Throttle } from './throttle.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 1024;
export const RESET_VALIDITY_MS = 60 * 60 * 1000;

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'Enter a valid email address.' }));

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`)
  .max(MAX_PASSWORD_LENGTH, 'The password is too long.');

export interface AccountServiceDeps {
  store: Store;
  now: () => number;
  log: Logger;
  loginThrottle: Throttle;
  resetThrottle: Throttle;
  /** Sign-ups per peer address: each costs a scrypt hash and a row. */
  signupThrottle: Throttle;
  mailer: Mailer;
  /** Base URL of the cloud's pages, for the link in reset mails. */
  publicUrl: () => string;
}

const LOGIN_FAILED = 'Wrong email or password.';

export function parseEmail(value: unknown): string {
  const result = emailSchema.safeParse(value);
  if (!result.success) throw new PrintosError('INVALID_ARGUMENT', 'Enter a valid email address.');
  return result.data;
}

export function parsePassword(value: unknown): string {
  const result = passwordSchema.safeParse(value);
  if (!result.success) {
    throw new PrintosError('INVALID_ARGUMENT', result.error.issues[0]?.message ?? 'Bad password.');
  }
  return result.data;
}

/** Creates an account from a typed password; CONFLICT if the email is taken. */
export async function createAccount(
  store: Store,
  email: string,
  password: string,
  now: number,
): Promise<number> {
  const address = parseEmail(email);
  const hash = await hashPassword(passwordDigest(parsePassword(password)));
  try {
    return store.accounts.create(address, hash, now);
  } catch (err) {
    if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new PrintosError('CONFLICT', `An account for ${address} already exists.`);
    }
    throw err;
  }
}

/** A new API token (shown once; the store keeps its hash). */
export function issueApiToken(store: Store, accountId: number, label: string, now: number): string {
  const token = `pct_${randomToken()}`;
  store.accounts.addApiToken(tokenHash(token), accountId, label.slice(0, 100), now);
  return token;
}

export class AccountService {
  readonly #deps: AccountServiceDeps;

  constructor(deps: AccountServiceDeps) {
    this.#deps = deps;
  }

  signUp(email: string, password: string, peer: string): Promise<number> {
    const { signupThrottle } = this.#deps;
    if (signupThrottle.isBlocked('', peer)) {
      throw new PrintosError(
        'RATE_LIMITED',
        'Too many sign-ups from this address. Try again later.',
      );
    }
    signupThrottle.recordFailure('', peer);
    return createAccount(this.#deps.store, email, password, this.#deps.now());
  }

  account(id: number): AccountRow | undefined {
    return this.#deps.store.accounts.byId(id);
  }

  /**
   * Checks an email and a password digest (SHA-256 hex, as the protocol sends it).
   * RATE_LIMITED before any check when throttled; LOGIN_FAILED for an unknown account
   * and for a wrong password alike, after the same scrypt work.
   */
  async authenticate(email: string, digest: string, peer: string): Promise<AccountRow> {
    const { store, loginThrottle } = this.#deps;
    if (loginThrottle.isBlocked(email, peer)) {
      const minutes = Math.ceil(loginThrottle.windowMs / 60_000);
      throw new PrintosError(
        'RATE_LIMITED',
        `Too many failed logins. Try again in ${minutes} minutes.`,
      );
    }
    const account = store.accounts.byEmail(email.trim());
    const ok = await verifyPassword(digest, account?.password_hash ?? DUMMY_PASSWORD_HASH);
    if (!account || !ok) {
      loginThrottle.recordFailure(email, peer);
      throw new PrintosError('LOGIN_FAILED', LOGIN_FAILED);
    }
    loginThrottle.recordSuccess(email);
    return account;
  }

  /** A new StreamerAPI user token, remembered with the host it was issued to. */
  issueUserToken(accountId: number, host: HostInfo): string {
    const token = randomToken();
    this.#deps.store.accounts.addUserToken(tokenHash(token), accountId, host, this.#deps.now());
    return token;
  }

  createApiToken(accountId: number, label: string): string {
    return issueApiToken(this.#deps.store, accountId, label, this.#deps.now());
  }

  /** The account of a bearer token: an API token, or a user token from user_login. */
  bearerAccount(token: string): number | undefined {
    const { store, now } = this.#deps;
    const hash = tokenHash(token);
    return (
      store.accounts.apiTokenAccount(hash, now()) ??
      store.accounts.userToken(hash, now())?.account_id
    );
  }

  /**
   * Sends a one-time reset link if the account exists. The caller shows the same answer
   * either way; only the throttle (per email and peer) can refuse, to stop mail floods.
   */
  async requestReset(email: string, peer: string): Promise<void> {
    const { store, now, resetThrottle, mailer, publicUrl } = this.#deps;
    const address = parseEmail(email);
    if (resetThrottle.isBlocked(address, peer)) {
      throw new PrintosError('RATE_LIMITED', 'Too many reset requests. Try again later.');
    }
    resetThrottle.recordFailure(address, peer);
    const account = store.accounts.byEmail(address);
    if (!account) return;
    const token = randomToken();
    const at = now();
    store.sessions.deleteExpiredResets(at);
    store.sessions.createReset(tokenHash(token), account.id, at, at + RESET_VALIDITY_MS);
    const link = `${publicUrl()}/reset-password?token=${encodeURIComponent(token)}`;
    await mailer.send({
      to: account.email,
      subject: 'Reset your printos cloud password',
      link,
      text: [
        'Someone asked to reset the password of your printos cloud account.',
        'Open this link within one hour to choose a new password:',
        '',
        link,
        '',
        'The link works once. If you did not ask for it, ignore this message.',
      ].join('\n'),
    });
  }

  /** True if the token is a reset that is unused and not expired. */
  resetIsValid(token: string): boolean {
    const row = this.#deps.store.sessions.getReset(tokenHash(token));
    return row !== undefined && row.used_at === null && row.expires_at > this.#deps.now();
  }

  /**
   * Sets a new password with a reset token (single use), and revokes every web session
   * and user token of the account: whoever had the old password is out.
   */
  async resetPassword(token: string, password: string): Promise<AccountRow> {
    const { store, now, log } = this.#deps;
    const newHash = await hashPassword(passwordDigest(parsePassword(password)));
    const hash = tokenHash(token);
    const account = store.transaction(() => {
      const row = store.sessions.getReset(hash);
      if (
        !row ||
        row.used_at !== null ||
        row.expires_at <= now() ||
        !store.sessions.useReset(hash, now())
      ) {
        throw new PrintosError(
          'FORBIDDEN',
          'This reset link is invalid, expired or already used. Ask for a new one.',
        );
      }
      store.accounts.setPassword(row.account_id, newHash);
      store.sessions.deleteForAccount(row.account_id);
      store.accounts.revokeUserTokens(row.account_id);
      return store.accounts.byId(row.account_id) as AccountRow;
    });
    log.info({ account: account.id }, 'password reset; sessions and user tokens revoked');
    return account;
  }
}
