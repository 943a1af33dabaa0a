/**
 * Throttles failures per account and per peer address in a sliding window. The account
 * key is counted whether or not the account exists, so a throttled unknown email and a
 * throttled real one get the same answer.
 */
import type { AttemptStore } from '../store/attempts.js';

export interface ThrottleLimits {
  perAccount: number;
  perPeer: number;
  windowMs: number;
}

export interface ThrottleDeps {
  attempts: AttemptStore;
  now: () => number;
  /** Keeps the keys of different flows (login, password reset) apart. */
  purpose: string;
  limits: ThrottleLimits;
}

export class Throttle {
  readonly #deps: ThrottleDeps;

  constructor(deps: ThrottleDeps) {
    this.#deps = deps;
  }

  get windowMs(): number {
    return this.#deps.limits.windowMs;
  }

  isBlocked(account: string, peer: string): boolean {
    const { attempts, now, limits } = this.#deps;
    const since = now() - limits.windowMs;
    return (
      attempts.countSince(this.#accountKey(account), since) >= limits.perAccount ||
      attempts.countSince(this.#peerKey(peer), since) >= limits.perPeer
    );
  }

  recordFailure(account: string, peer: string): void {
    const { attempts, now, limits } = this.#deps;
    const at = now();
    attempts.prune(at - limits.windowMs);
    attempts.record(this.#accountKey(account), at);
    attempts.record(this.#peerKey(peer), at);
  }

  /** A success clears the account's count; the peer's stays (it may be trying many accounts). */
  recordSuccess(account: string): void {
    this.#deps.attempts.clear(this.#accountKey(account));
  }

  #accountKey(account: string): string {
    return `${this.#deps.purpose}:account:${account.trim().toLowerCase()}`;
  }

  #peerKey(peer: string): string {
    return `${this.#deps.purpose}:peer:${peer}`;
  }
}
