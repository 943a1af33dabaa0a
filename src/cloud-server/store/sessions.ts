/** Web sessions and password-reset tokens; both stored as hashes of the secret. */
import type { Db } from './db.js';

export interface SessionRow {
  id_hash: string;
  account_id: number;
  created_at: number;
  last_seen_at: number;
}

export interface ResetRow {
  token_hash: string;
  account_id: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export class SessionStore {
  readonly #insert;
  readonly #get;
  readonly #touch;
  readonly #delete;
  readonly #deleteAccount;
  readonly #deleteOld;
  readonly #insertReset;
  readonly #getReset;
  readonly #useReset;
  readonly #deleteOldResets;

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO web_sessions (id_hash, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)',
    );
    this.#get = db.prepare('SELECT * FROM web_sessions WHERE id_hash = ?');
    this.#touch = db.prepare('UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?');
    this.#delete = db.prepare('DELETE FROM web_sessions WHERE id_hash = ?');
    this.#deleteAccount = db.prepare('DELETE FROM web_sessions WHERE account_id = ?');
    this.#deleteOld = db.prepare(
      'DELETE FROM web_sessions WHERE last_seen_at < ? OR created_at < ?',
    );
    this.#insertReset = db.prepare(
      `INSERT INTO password_resets (token_hash, account_id, created_at, expires_at)
       VALUES (?, ?, ?, ?)`,
    );
    this.#getReset = db.prepare('SELECT * FROM password_resets WHERE token_hash = ?');
    this.#useReset = db.prepare(
      'UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL',
    );
    this.#deleteOldResets = db.prepare('DELETE FROM password_resets WHERE expires_at < ?');
  }

  create(idHash: string, accountId: number, now: number): void {
    this.#insert.run(idHash, accountId, now, now);
  }

  get(idHash: string): SessionRow | undefined {
    return this.#get.get(idHash) as SessionRow | undefined;
  }

  touch(idHash: string, now: number): void {
    this.#touch.run(now, idHash);
  }

  delete(idHash: string): void {
    this.#delete.run(idHash);
  }

  deleteForAccount(accountId: number): void {
    this.#deleteAccount.run(accountId);
  }

  /** Drops sessions idle since `idleBefore` or created before `createdBefore`. */
  deleteExpired(idleBefore: number, createdBefore: number): void {
    this.#deleteOld.run(idleBefore, createdBefore);
  }

  createReset(tokenHash: string, accountId: number, now: number, expiresAt: number): void {
    this.#insertReset.run(tokenHash, accountId, now, expiresAt);
  }

  getReset(tokenHash: string): ResetRow | undefined {
    return this.#getReset.get(tokenHash) as ResetRow | undefined;
  }

  /** Marks a reset used; false if it already was (a second use races and loses). */
  useReset(tokenHash: string, now: number): boolean {
    return this.#useReset.run(now, tokenHash).changes === 1;
  }

  deleteExpiredResets(before: number): void {
    this.#deleteOldResets.run(before);
  }
}
