/** Jobs: the per-printer queue (status queued, oldest first) and the history. */
import type { Db } from './db.js';

export const JOB_STATUSES = [
  'queued',
  'starting',
  'downloading',
  'printing',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job the printer holds (or was told to take): at most one per printer. */
export const ACTIVE_STATUSES: readonly JobStatus[] = [
  'starting',
  'downloading',
  'printing',
  'paused',
];
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'cancelled', 'failed'];

export interface JobRow {
  id: number;
  account_id: number;
  printer_id: number | null;
  printer_name: string;
  filename: string;
  size: number;
  sha256: string;
  path: string | null;
  status: JobStatus;
  percent: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  cancel_requested_at: number | null;
  lost_at: number | null;
  outcome: string | null;
}

export type NewJob = Pick<
  JobRow,
  'account_id' | 'printer_id' | 'printer_name' | 'filename' | 'size' | 'sha256' | 'path'
>;

export class JobStore {
  readonly #insert;
  readonly #byId;
  readonly #list;
  readonly #queue;
  readonly #active;
  readonly #lost;
  readonly #update;
  readonly #delete;
  readonly #oldFiles;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO jobs (account_id, printer_id, printer_name, filename, size, sha256, path,
       status, created_at) VALUES (@account_id, @printer_id, @printer_name, @filename, @size,
       @sha256, @path, 'queued', @now)`,
    );
    this.#byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
    this.#list = db.prepare('SELECT * FROM jobs WHERE account_id = ? ORDER BY id DESC LIMIT ?');
    this.#queue = db.prepare(
      "SELECT * FROM jobs WHERE printer_id = ? AND status = 'queued' ORDER BY id",
    );
    this.#active = db.prepare(
      `SELECT * FROM jobs WHERE printer_id = ?
       AND status IN ('starting','downloading','printing','paused') ORDER BY id DESC LIMIT 1`,
    );
    this.#lost = db.prepare(
      `SELECT * FROM jobs WHERE printer_id = ? AND status = 'failed' AND lost_at IS NOT NULL
       ORDER BY lost_at DESC, id DESC LIMIT 1`,
    );
    this.#update = db.prepare(
      `UPDATE jobs SET status = @status, percent = @percent, path = @path,
       started_at = @started_at, finished_at = @finished_at,
       cancel_requested_at = @cancel_requested_at, lost_at = @lost_at, outcome = @outcome
       WHERE id = @id`,
    );
    this.#delete = db.prepare('DELETE FROM jobs WHERE id = ?');
    this.#oldFiles = db.prepare(
      `SELECT * FROM jobs WHERE path IS NOT NULL AND finished_at IS NOT NULL
       AND finished_at < ? AND status IN ('completed','cancelled','failed')`,
    );
  }

  insert(job: NewJob, now: number): number {
    return Number(this.#insert.run({ ...job, now }).lastInsertRowid);
  }

  byId(id: number): JobRow | undefined {
    return this.#byId.get(id) as JobRow | undefined;
  }

  listForAccount(accountId: number, limit = 200): JobRow[] {
    return this.#list.all(accountId, limit) as JobRow[];
  }

  queue(printerId: number): JobRow[] {
    return this.#queue.all(printerId) as JobRow[];
  }

  active(printerId: number): JobRow | undefined {
    return this.#active.get(printerId) as JobRow | undefined;
  }

  /** The latest job failed by a reconnect, which a later report may still finish. */
  lost(printerId: number): JobRow | undefined {
    return this.#lost.get(printerId) as JobRow | undefined;
  }

  /** Writes every mutable field of the row (read, change, save). */
  save(job: JobRow): void {
    this.#update.run(job);
  }

  delete(id: number): void {
    this.#delete.run(id);
  }

  finishedWithFilesBefore(before: number): JobRow[] {
    return this.#oldFiles.all(before) as JobRow[];
  }
}
