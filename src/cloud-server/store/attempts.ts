/** Failed attempts per key (account, peer address) for throttling, in a sliding window. */
import type { Db } from './db.js';

export class AttemptStore {
  readonly #insert;
  readonly #count;
  readonly #clear;
  readonly #prune;

  constructor(db: Db) {
    this.#insert = db.prepare('INSERT INTO login_attempts (key, at) VALUES (?, ?)');
    this.#count = db.prepare('SELECT COUNT(*) AS n FROM login_attempts WHERE key = ? AND at > ?');
    this.#clear = db.prepare('DELETE FROM login_attempts WHERE key = ?');
    this.#prune = db.prepare('DELETE FROM login_attempts WHERE at <= ?');
  }

  record(key: string, now: number): void {
    this.#insert.run(key, now);
  }

  countSince(key: string, since: number): number {
    return (this.#count.get(key, since) as { n: number }).n;
  }

  clear(key: string): void {
    this.#clear.run(key);
  }

  prune(before: number): void {
    this.#prune.run(before);
  }
}
