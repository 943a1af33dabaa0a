/** The per-printer command queue, ordered by insertion; numbers are per printer. */
import type { Db } from './db.js';

export interface CommandRow {
  id: number;
  printer_id: number;
  number: number;
  name: string;
  body_json: string;
  job_id: number | null;
  created_at: number;
  delivered_at: number | null;
  deliveries: number;
  acked_at: number | null;
  ack_result: number | null;
  dropped_at: number | null;
}

export class CommandStore {
  readonly #insert;
  readonly #head;
  readonly #deliver;
  readonly #drop;
  readonly #byNumber;
  readonly #ack;
  readonly #dropDelivered;
  readonly #pendingForJob;
  readonly #list;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO commands (printer_id, number, name, body_json, job_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.#head = db.prepare(
      `SELECT * FROM commands WHERE printer_id = ? AND acked_at IS NULL AND dropped_at IS NULL
       ORDER BY id LIMIT 1`,
    );
    this.#deliver = db.prepare(
      'UPDATE commands SET delivered_at = ?, deliveries = deliveries + 1 WHERE id = ?',
    );
    this.#drop = db.prepare('UPDATE commands SET dropped_at = ? WHERE id = ?');
    this.#byNumber = db.prepare('SELECT * FROM commands WHERE printer_id = ? AND number = ?');
    this.#ack = db.prepare('UPDATE commands SET acked_at = ?, ack_result = ? WHERE id = ?');
    this.#dropDelivered = db.prepare(
      `UPDATE commands SET dropped_at = ? WHERE printer_id = ? AND delivered_at IS NOT NULL
       AND acked_at IS NULL AND dropped_at IS NULL RETURNING *`,
    );
    this.#pendingForJob = db.prepare(
      `SELECT * FROM commands WHERE job_id = ? AND acked_at IS NULL AND dropped_at IS NULL
       ORDER BY id`,
    );
    this.#list = db.prepare('SELECT * FROM commands WHERE printer_id = ? ORDER BY id');
  }

  insert(
    printerId: number,
    number: number,
    name: string,
    bodyJson: string,
    jobId: number | null,
    now: number,
  ): number {
    return Number(this.#insert.run(printerId, number, name, bodyJson, jobId, now).lastInsertRowid);
  }

  /** The oldest command neither acknowledged nor dropped. */
  head(printerId: number): CommandRow | undefined {
    return this.#head.get(printerId) as CommandRow | undefined;
  }

  markDelivered(id: number, now: number): void {
    this.#deliver.run(now, id);
  }

  drop(id: number, now: number): void {
    this.#drop.run(now, id);
  }

  byNumber(printerId: number, number: number): CommandRow | undefined {
    return this.#byNumber.get(printerId, number) as CommandRow | undefined;
  }

  ack(id: number, result: boolean, now: number): void {
    this.#ack.run(now, result ? 1 : 0, id);
  }

  /** After a reconnect the client forgot what it was given: drop what it never acknowledged. */
  dropDelivered(printerId: number, now: number): CommandRow[] {
    return this.#dropDelivered.all(now, printerId) as CommandRow[];
  }

  pendingForJob(jobId: number): CommandRow[] {
    return this.#pendingForJob.all(jobId) as CommandRow[];
  }

  list(printerId: number): CommandRow[] {
    return this.#list.all(printerId) as CommandRow[];
  }
}
