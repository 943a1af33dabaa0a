/**
 * Jobs: uploaded files queued per printer, started by a `gcodes` command with a signed
 * download link, cancelled by a `cancel` command, kept in the history with their outcome.
 */
import { rmSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { PrintosError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Store } from '../store/index.js';
import type { JobRow, JobStatus } from '../store/jobs.js';
import type { PrinterRow } from '../store/printers.js';
import type { CommandQueue } from './commands.js';
import type { LinkSigner } from './download-links.js';
import { type LiveState, parseJson } from './live.js';

export interface UploadedFile {
  /** Where the upload was streamed to; moved into jobs/ when the job is created. */
  tempPath: string;
  filename: string;
  size: number;
  sha256: string;
}

export interface JobServiceDeps {
  store: Store;
  now: () => number;
  log: Logger;
  jobsDir: string;
  commands: CommandQueue;
  links: LinkSigner;
}

export class JobService {
  readonly #deps: JobServiceDeps;

  constructor(deps: JobServiceDeps) {
    this.#deps = deps;
  }

  list(accountId: number): JobRow[] {
    return this.#deps.store.jobs.listForAccount(accountId);
  }

  queue(printerId: number): JobRow[] {
    return this.#deps.store.jobs.queue(printerId);
  }

  owned(accountId: number, jobId: number): JobRow {
    const job = this.#deps.store.jobs.byId(jobId);
    if (!job || job.account_id !== accountId) {
      throw new PrintosError('NOT_FOUND', `There is no job ${jobId}.`);
    }
    return job;
  }

  /** Queues an uploaded file for a printer of the account. */
  async create(accountId: number, printer: PrinterRow, file: UploadedFile): Promise<JobRow> {
    const { store, now, jobsDir } = this.#deps;
    const id = store.jobs.insert(
      {
        account_id: accountId,
        printer_id: printer.id,
        printer_name: printer.name,
        filename: file.filename,
        size: file.size,
        sha256: file.sha256,
        path: null,
      },
      now(),
    );
    const name = `${id}${extname(file.filename).toLowerCase()}`;
    try {
      await rename(file.tempPath, join(jobsDir, name));
    } catch (err) {
      store.jobs.delete(id);
      throw new PrintosError('INTERNAL', 'Cannot store the uploaded file.', undefined, err);
    }
    const job = store.jobs.byId(id) as JobRow;
    store.jobs.save({ ...job, path: name });
    return { ...job, path: name };
  }

  start(accountId: number, jobId: number): JobRow {
    const { store } = this.#deps;
    return store.transaction(() => {
      const job = this.owned(accountId, jobId);
      const printer = job.printer_id === null ? undefined : store.printers.byId(job.printer_id);
      if (!printer || printer.removed_at !== null) {
        throw new PrintosError('CONFLICT', 'The printer of this job was removed.');
      }
      return this.startOn(printer, job);
    });
  }

  /** Sends a queued job to an idle printer (call inside a transaction). */
  startOn(printer: PrinterRow, job: JobRow): JobRow {
    const { store, now, commands, links } = this.#deps;
    if (job.status !== 'queued') {
      throw new PrintosError(
        'CONFLICT',
        `Job ${job.id} is ${job.status}; only a queued job starts.`,
      );
    }
    const live = parseJson<LiveState>(printer.live_json, {});
    if (live.state !== 'ready' || store.jobs.active(printer.id)) {
      throw new PrintosError('PRINTER_BUSY', `${printer.name} is not ready to print.`);
    }
    commands.enqueue(
      printer.id,
      {
        command: 'gcodes',
        is_link: true,
        payload: links.link(job.id),
        filename: job.filename,
        size: job.size,
        zip: extname(job.filename).toLowerCase() === '.zip',
        job_id: job.id,
        job_snr: job.id,
      },
      job.id,
    );
    const started: JobRow = { ...job, status: 'starting', percent: 0, started_at: now() };
    store.jobs.save(started);
    return started;
  }

  cancel(accountId: number, jobId: number): JobRow {
    return this.#deps.store.transaction(() => this.cancelJob(this.owned(accountId, jobId)));
  }

  /**
   * A queued job, or one whose `gcodes` never left, is cancelled at once; a job the
   * printer holds gets a `cancel` command and ends when the printer says so.
   */
  cancelJob(job: JobRow, outcome = 'cancelled'): JobRow {
    const { commands } = this.#deps;
    if (job.status === 'queued') return this.finish(job, 'cancelled', outcome);
    if (job.status === 'starting') {
      const dropped = commands.dropForJob(job.id);
      if (dropped.some((row) => row.name === 'gcodes' && row.delivered_at === null)) {
        return this.finish(job, 'cancelled', outcome);
      }
    }
    if (!['starting', 'downloading', 'printing', 'paused'].includes(job.status)) {
      throw new PrintosError('CONFLICT', `Job ${job.id} is already ${job.status}.`);
    }
    if (job.printer_id === null) return this.finish(job, 'cancelled', outcome);
    if (job.cancel_requested_at === null) {
      commands.enqueue(job.printer_id, { command: 'cancel' });
    }
    const requested = { ...job, cancel_requested_at: job.cancel_requested_at ?? this.#deps.now() };
    this.#deps.store.jobs.save(requested);
    return requested;
  }

  /** Removes a queued or finished job and its file. */
  async remove(accountId: number, jobId: number): Promise<void> {
    const { store } = this.#deps;
    const job = this.owned(accountId, jobId);
    if (!['queued', 'completed', 'cancelled', 'failed'].includes(job.status)) {
      throw new PrintosError('CONFLICT', `Job ${job.id} is ${job.status}; cancel it first.`);
    }
    store.jobs.delete(job.id);
    if (job.path) await rm(join(this.#deps.jobsDir, job.path), { force: true });
  }

  /** Ends a job with its outcome; a cancelled queued job's file is deleted at once. */
  finish(job: JobRow, status: JobStatus, outcome: string, lost = false): JobRow {
    const now = this.#deps.now();
    const ended: JobRow = {
      ...job,
      status,
      outcome,
      finished_at: now,
      lost_at: lost ? now : null,
      percent: status === 'completed' ? 100 : job.percent,
    };
    if (job.status === 'queued' && job.path) {
      rmSync(join(this.#deps.jobsDir, job.path), { force: true });
      ended.path = null;
    }
    this.#deps.store.jobs.save(ended);
    return ended;
  }

  /** A printer leaves the account (removed, or linked elsewhere): its jobs end here. */
  endAllOf(printerId: number, outcome: string): void {
    const { store } = this.#deps;
    for (const job of store.jobs.queue(printerId)) this.finish(job, 'cancelled', outcome);
    const active = store.jobs.active(printerId);
    if (active) {
      this.#deps.commands.dropForJob(active.id);
      this.finish(active, 'cancelled', outcome);
    }
  }

  /** The job and its file for a verified download link. */
  downloadable(jobId: number): { job: JobRow; path: string } {
    const job = this.#deps.store.jobs.byId(jobId);
    if (!job?.path) throw new PrintosError('NOT_FOUND', 'This job file is gone.');
    return { job, path: join(this.#deps.jobsDir, job.path) };
  }

  /** Deletes files of jobs that ended before `before` (their links have expired). */
  async sweepFiles(before: number): Promise<number> {
    const { store } = this.#deps;
    const old = store.jobs.finishedWithFilesBefore(before);
    for (const job of old) {
      await rm(join(this.#deps.jobsDir, job.path as string), { force: true });
      store.jobs.save({ ...job, path: null });
    }
    return old.length;
  }
}
