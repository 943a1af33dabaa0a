/**
 * Failed logins counted per account name and per real peer address in a sliding
 * window, in memory. The account key is counted whether or not the account exists, so
 * a throttled unknown name and a throttled real one get the same answer.
 */
export interface ThrottleLimits {
  perAccount: number;
  perPeer: number;
  windowMs: number;
}

/** Keys kept at most; beyond, the oldest go (an attacker cannot grow memory without bound). */
const MAX_KEYS = 10_000;

export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #limits: ThrottleLimits;
  readonly #now: () => number;

  constructor(limits: ThrottleLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  isBlocked(account: string, peer: string): boolean {
    return (
      this.#count(accountKey(account)) >= this.#limits.perAccount ||
      this.#count(peerKey(peer)) >= this.#limits.perPeer
    );
  }

  recordFailure(account: string, peer: string): void {
    for (const key of [accountKey(account), peerKey(peer)]) {
      const times = this.#recent(key);
      times.push(this.#now());
      this.#failures.delete(key);
      this.#failures.set(key, times);
    }
    while (this.#failures.size > MAX_KEYS) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
  }

  /** A success clears the account's count; the peer's stays (it may be trying many accounts). */
  recordSuccess(account: string): void {
    this.#failures.delete(accountKey(account));
  }

  #count(key: string): number {
    return this.#recent(key).length;
  }

  #recent(key: string): number[] {
    const since = this.#now() - this.#limits.windowMs;
    const times = (this.#failures.get(key) ?? []).filter((t) => t > since);
    if (times.length === 0) this.#failures.delete(key);
    return times;
  }
}

function accountKey(account: string): string {
  return `account:${account.trim().toLowerCase()}`;
}

function peerKey(peer: string): string {
  return `peer:${peer}`;
}
