/**
 * The command loop, cloud side (protocol doc §1.7): store the report (delta applied),
 * the error list and the acknowledgement, move the printer's job, then answer the next
 * command. One transaction per request.
 */
import type { Logger } from '../../core/log.js';
import {
  COMMAND_ERROR,
  type CommandAnswer,
  type CommandRequest,
  ERROR_LEVEL,
} from '../../streamer-api/index.js';
import { tokenHash } from '../crypto.js';
import type { CommandRow } from '../store/commands.js';
import type { Store } from '../store/index.js';
import type { JobRow } from '../store/jobs.js';
import type { PrinterRow } from '../store/printers.js';
import type { CommandQueue } from './commands.js';
import { type JobFacts, jobChange, OUTCOME, type ReportFacts } from './job-transitions.js';
import type { JobService } from './jobs.js';
import {
  type LiveError,
  type LiveState,
  mergeErrors,
  mergeLive,
  parseJson,
  reportedJobId,
} from './live.js';

export interface ReportServiceDeps {
  store: Store;
  now: () => number;
  log: Logger;
  commands: CommandQueue;
  jobs: JobService;
}

export class ReportService {
  readonly #deps: ReportServiceDeps;

  constructor(deps: ReportServiceDeps) {
    this.#deps = deps;
  }

  handle(request: CommandRequest): CommandAnswer {
    const { store } = this.#deps;
    return store.transaction(() => {
      const printer = store.printers.byToken(tokenHash(request.printer_token));
      if (!printer) {
        return {
          error: { code: COMMAND_ERROR.BAD_TOKEN, message: 'Unknown printer token; log in again.' },
        };
      }
      this.#apply(printer, request);
      const next = this.#deps.commands.next(printer.id);
      for (const row of next.dropped) this.#onDropped(row);
      return next.answer ?? {};
    });
  }

  #apply(printer: PrinterRow, request: CommandRequest): void {
    const { store, now } = this.#deps;
    const previous = parseJson<LiveState>(printer.live_json, {});
    const report = request.report;
    const live = mergeLive(previous, report);
    const errors = mergeErrors(
      parseJson<LiveError[]>(printer.errors_json, []),
      request.error,
      now(),
    );
    store.printers.saveLive(printer.id, JSON.stringify(live), JSON.stringify(errors), now());
    if (request.select_name?.trim()) store.printers.rename(printer.id, request.select_name.trim());
    if (request.command_ack) {
      const { number, result } = request.command_ack;
      const row = this.#deps.commands.ack(printer.id, number, result);
      if (row && !result) this.#onRefused(row);
    }
    const jobId = reportedJobId(previous, report);
    if (request.reset_job) this.#onReconnect(printer, jobId, report.state);
    const blocking = request.error?.find((e) => e.level >= ERROR_LEVEL.blocking);
    this.#moveJob(printer, {
      state: report.state,
      percent: report.percent,
      jobId,
      blockingError: blocking?.message,
    });
  }

  /**
   * `reset_job`: the client reconnected and forgot what it was doing. A job it held is
   * lost — unless this very report shows it still running (the cloud restarted, not the
   * client). A lost job is marked so that a later report can still tell its real end.
   */
  #onReconnect(printer: PrinterRow, jobId: string | undefined, state: string): void {
    const { store, commands } = this.#deps;
    commands.dropDelivered(printer.id);
    const active = store.jobs.active(printer.id);
    if (!active) return;
    if (jobId === String(active.id)) return;
    const undelivered =
      active.status === 'starting' && store.commands.pendingForJob(active.id).length > 0;
    if (undelivered) return; // its gcodes still waits in the queue
    this.#deps.log.info({ job: active.id, state }, 'job lost: the client reconnected');
    this.#deps.jobs.finish(active, 'failed', OUTCOME.lost, true);
  }

  #moveJob(printer: PrinterRow, report: ReportFacts): void {
    const job = this.#targetJob(printer, report.jobId);
    if (!job) return;
    const change = jobChange(facts(job), report);
    if (!change) return;
    const { store, now } = this.#deps;
    if (change.kind === 'final') {
      this.#deps.jobs.finish(job, change.status, change.outcome);
      this.#deps.log.info({ job: job.id, status: change.status }, 'job ended');
      return;
    }
    store.jobs.save({
      ...job,
      status: change.status,
      percent: change.percent,
      started_at: job.started_at ?? now(),
      finished_at: null,
      lost_at: null,
      outcome: null,
    });
  }

  /** The job a report is about: the one it names, else the active one, else a lost one. */
  #targetJob(printer: PrinterRow, jobId: string | undefined): JobRow | undefined {
    const { store } = this.#deps;
    if (jobId !== undefined && /^\d{1,15}$/.test(jobId)) {
      const named = store.jobs.byId(Number(jobId));
      if (named && named.printer_id === printer.id) return named;
    }
    return store.jobs.active(printer.id) ?? store.jobs.lost(printer.id);
  }

  /** The client refused a `gcodes`: its job fails. */
  #onRefused(row: CommandRow): void {
    if (row.name !== 'gcodes' || row.job_id === null) return;
    const job = this.#deps.store.jobs.byId(row.job_id);
    if (job?.status === 'starting') {
      this.#deps.jobs.finish(job, 'failed', 'the printer refused the job');
    }
  }

  /** A `gcodes` never acknowledged after every delivery: its job fails. */
  #onDropped(row: CommandRow): void {
    if (row.name !== 'gcodes' || row.job_id === null) return;
    const job = this.#deps.store.jobs.byId(row.job_id);
    if (job?.status === 'starting') {
      this.#deps.jobs.finish(job, 'failed', 'the printer never acknowledged the job');
    }
  }
}

function facts(job: JobRow): JobFacts {
  return {
    id: job.id,
    status: job.status,
    percent: job.percent,
    cancelRequested: job.cancel_requested_at !== null,
    lost: job.status === 'failed' && job.lost_at !== null,
  };
}
