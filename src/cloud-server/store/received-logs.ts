/** Log bundles received through sendlogs (protocol doc §1.12); the files live in logs/. */
import type { Db } from './db.js';

export interface ReceivedLogRow {
  id: number;
  account_id: number;
  received_at: number;
  /** Relative to the logs directory. */
  bundle: string;
  size: number;
  summary: string;
}

export interface ReceivedLogListRow extends ReceivedLogRow {
  email: string;
}

export type NewReceivedLog = Omit<ReceivedLogRow, 'id'>;

export class ReceivedLogStore {
  readonly #insert;
  readonly #all;
  readonly #byAccount;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO received_logs (account_id, received_at, bundle, size, summary)
       VALUES (@account_id, @received_at, @bundle, @size, @summary)`,
    );
    const select = `SELECT l.*, a.email FROM received_logs l JOIN accounts a ON a.id = l.account_id`;
    const order = 'ORDER BY l.received_at DESC, l.id DESC LIMIT ?';
    this.#all = db.prepare(`${select} ${order}`);
    this.#byAccount = db.prepare(`${select} WHERE l.account_id = ? ${order}`);
  }

  add(row: NewReceivedLog): number {
    return Number(this.#insert.run(row).lastInsertRowid);
  }

  /** Newest first; one account's, or everyone's. */
  list(accountId: number | undefined, limit: number): ReceivedLogListRow[] {
    const rows =
      accountId === undefined ? this.#all.all(limit) : this.#byAccount.all(accountId, limit);
    return rows as ReceivedLogListRow[];
  }
}
