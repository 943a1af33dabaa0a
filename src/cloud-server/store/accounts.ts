/** Accounts and their bearer secrets (StreamerAPI user tokens, API tokens), stored hashed. */
import type { Db } from './db.js';

export interface AccountRow {
  id: number;
  email: string;
  password_hash: string;
  created_at: number;
}

export interface HostInfo {
  host_mac: string;
  local_ip: string;
  platform: string;
  version: string;
}

export interface UserTokenRow extends HostInfo {
  token_hash: string;
  account_id: number;
  created_at: number;
  last_used_at: number;
}

export class AccountStore {
  readonly #insert;
  readonly #byEmail;
  readonly #byId;
  readonly #setPassword;
  readonly #insertUserToken;
  readonly #userToken;
  readonly #touchUserToken;
  readonly #revokeUserTokens;
  readonly #insertApiToken;
  readonly #apiToken;
  readonly #touchApiToken;
  readonly #countApiTokens;

  constructor(db: Db) {
    this.#insert = db.prepare(
      'INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, ?)',
    );
    this.#byEmail = db.prepare('SELECT * FROM accounts WHERE email = ?');
    this.#byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
    this.#setPassword = db.prepare('UPDATE accounts SET password_hash = ? WHERE id = ?');
    this.#insertUserToken = db.prepare(
      `INSERT INTO user_tokens (token_hash, account_id, host_mac, local_ip, platform, version,
       created_at, last_used_at) VALUES (@token_hash, @account_id, @host_mac, @local_ip,
       @platform, @version, @now, @now)`,
    );
    this.#userToken = db.prepare('SELECT * FROM user_tokens WHERE token_hash = ?');
    this.#touchUserToken = db.prepare(
      'UPDATE user_tokens SET last_used_at = ? WHERE token_hash = ?',
    );
    this.#revokeUserTokens = db.prepare('DELETE FROM user_tokens WHERE account_id = ?');
    this.#insertApiToken = db.prepare(
      'INSERT INTO api_tokens (token_hash, account_id, label, created_at) VALUES (?, ?, ?, ?)',
    );
    this.#apiToken = db.prepare('SELECT account_id FROM api_tokens WHERE token_hash = ?');
    this.#touchApiToken = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?');
    this.#countApiTokens = db.prepare('SELECT COUNT(*) AS n FROM api_tokens WHERE account_id = ?');
  }

  /** Inserts an account; the UNIQUE (case-insensitive) email makes a duplicate throw. */
  create(email: string, passwordHash: string, now: number): number {
    return Number(this.#insert.run(email, passwordHash, now).lastInsertRowid);
  }

  byEmail(email: string): AccountRow | undefined {
    return this.#byEmail.get(email) as AccountRow | undefined;
  }

  byId(id: number): AccountRow | undefined {
    return this.#byId.get(id) as AccountRow | undefined;
  }

  setPassword(id: number, passwordHash: string): void {
    this.#setPassword.run(passwordHash, id);
  }

  addUserToken(hash: string, accountId: number, host: HostInfo, now: number): void {
    this.#insertUserToken.run({ token_hash: hash, account_id: accountId, ...host, now });
  }

  userToken(hash: string, now: number): UserTokenRow | undefined {
    const row = this.#userToken.get(hash) as UserTokenRow | undefined;
    if (row) this.#touchUserToken.run(now, hash);
    return row;
  }

  revokeUserTokens(accountId: number): void {
    this.#revokeUserTokens.run(accountId);
  }

  addApiToken(hash: string, accountId: number, label: string, now: number): void {
    this.#insertApiToken.run(hash, accountId, label, now);
  }

  apiTokenAccount(hash: string, now: number): number | undefined {
    const row = this.#apiToken.get(hash) as { account_id: number } | undefined;
    if (row) this.#touchApiToken.run(now, hash);
    return row?.account_id;
  }

  apiTokenCount(accountId: number): number {
    return (this.#countApiTokens.get(accountId) as { n: number }).n;
  }
}
