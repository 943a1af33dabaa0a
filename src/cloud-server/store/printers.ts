/** Printers registered by printer_login, with their live state and command numbering. */
import type { Db } from './db.js';

export interface PrinterRow {
  id: number;
  account_id: number;
  host_mac: string;
  vid: string;
  pid: string;
  snr: string;
  name: string;
  token_hash: string | null;
  live_json: string;
  errors_json: string;
  registered_at: number;
  last_seen: number | null;
  next_number: number;
  last_acked: number | null;
  removed_at: number | null;
}

export interface PrinterIdentity {
  host_mac: string;
  vid: string;
  pid: string;
  snr: string;
}

export class PrinterStore {
  readonly #byIdentity;
  readonly #bySerialElsewhere;
  readonly #byToken;
  readonly #byId;
  readonly #list;
  readonly #insert;
  readonly #setToken;
  readonly #setHost;
  readonly #delete;
  readonly #remove;
  readonly #saveLive;
  readonly #rename;
  readonly #takeNumber;
  readonly #setLastAcked;

  constructor(db: Db) {
    this.#byIdentity = db.prepare(
      'SELECT * FROM printers WHERE host_mac = ? AND vid = ? AND pid = ? AND snr = ?',
    );
    this.#bySerialElsewhere = db.prepare(
      `SELECT * FROM printers WHERE vid = ? AND pid = ? AND snr = ? AND host_mac <> ?
       AND removed_at IS NULL ORDER BY id LIMIT 1`,
    );
    this.#byToken = db.prepare(
      'SELECT * FROM printers WHERE token_hash = ? AND removed_at IS NULL',
    );
    this.#byId = db.prepare('SELECT * FROM printers WHERE id = ?');
    this.#list = db.prepare(
      'SELECT * FROM printers WHERE account_id = ? AND removed_at IS NULL ORDER BY id',
    );
    this.#insert = db.prepare(
      `INSERT INTO printers (account_id, host_mac, vid, pid, snr, name, token_hash, registered_at)
       VALUES (@account_id, @host_mac, @vid, @pid, @snr, @name, @token_hash, @now)`,
    );
    this.#setToken = db.prepare('UPDATE printers SET token_hash = ? WHERE id = ?');
    this.#setHost = db.prepare('UPDATE printers SET host_mac = ? WHERE id = ?');
    this.#delete = db.prepare('DELETE FROM printers WHERE id = ?');
    this.#remove = db.prepare('UPDATE printers SET removed_at = ?, token_hash = NULL WHERE id = ?');
    this.#saveLive = db.prepare(
      'UPDATE printers SET live_json = ?, errors_json = ?, last_seen = ? WHERE id = ?',
    );
    this.#rename = db.prepare('UPDATE printers SET name = ? WHERE id = ?');
    this.#takeNumber = db.prepare(
      'UPDATE printers SET next_number = next_number + 1 WHERE id = ? RETURNING next_number - 1 AS n',
    );
    this.#setLastAcked = db.prepare('UPDATE printers SET last_acked = ? WHERE id = ?');
  }

  byIdentity(id: PrinterIdentity): PrinterRow | undefined {
    return this.#byIdentity.get(id.host_mac, id.vid, id.pid, id.snr) as PrinterRow | undefined;
  }

  /** The same USB serial number registered from another host (a printer that moved). */
  bySerialElsewhere(id: PrinterIdentity): PrinterRow | undefined {
    return this.#bySerialElsewhere.get(id.vid, id.pid, id.snr, id.host_mac) as
      | PrinterRow
      | undefined;
  }

  byToken(hash: string): PrinterRow | undefined {
    return this.#byToken.get(hash) as PrinterRow | undefined;
  }

  byId(id: number): PrinterRow | undefined {
    return this.#byId.get(id) as PrinterRow | undefined;
  }

  listForAccount(accountId: number): PrinterRow[] {
    return this.#list.all(accountId) as PrinterRow[];
  }

  insert(
    row: PrinterIdentity & { account_id: number; name: string; token_hash: string },
    now: number,
  ): number {
    return Number(this.#insert.run({ ...row, now }).lastInsertRowid);
  }

  setToken(id: number, hash: string | null): void {
    this.#setToken.run(hash, id);
  }

  setHost(id: number, host: string): void {
    this.#setHost.run(host, id);
  }

  delete(id: number): void {
    this.#delete.run(id);
  }

  /** Removed by its owner: no token any more, hidden, forgotten at its next printer_login. */
  markRemoved(id: number, now: number): void {
    this.#remove.run(now, id);
  }

  saveLive(id: number, liveJson: string, errorsJson: string, now: number): void {
    this.#saveLive.run(liveJson, errorsJson, now, id);
  }

  rename(id: number, name: string): void {
    this.#rename.run(name, id);
  }

  /** The next command number of a printer (1, 2, 3, …). */
  takeNumber(id: number): number {
    return (this.#takeNumber.get(id) as { n: number }).n;
  }

  setLastAcked(id: number, number: number): void {
    this.#setLastAcked.run(number, id);
  }
}
