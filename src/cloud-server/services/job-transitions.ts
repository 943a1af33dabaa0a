/**
 * How one report moves a cloud job (pure). Inputs: the job as the cloud knows it, and
 * what this report says (state, percent, the job id it is about, a blocking error).
 * See docs in server.ts for the cases; the rules in short:
 * - a report naming the job in `downloading`/`printing`/`paused` sets that status, and
 *   brings back a job failed only because the client reconnected ("lost");
 * - `{state:'printing', percent:100}` then `ready` → completed;
 * - `cancel`, or `ready` after a cancel request → cancelled;
 * - a blocking error (level ≥ 40) → failed with its message;
 * - `ready` while printing short of 100 % → failed.
 */
import type { JobStatus } from '../store/jobs.js';

export interface JobFacts {
  id: number;
  status: JobStatus;
  percent: number;
  cancelRequested: boolean;
  /** Failed by a reconnect (`reset_job`); a later report may still tell its real end. */
  lost: boolean;
}

export interface ReportFacts {
  state: string;
  percent?: number | undefined;
  /** The job the report is about (clouds_job_id, as a string), if any. */
  jobId?: string | undefined;
  /** Message of a blocking or critical error in this request's error list. */
  blockingError?: string | undefined;
}

export type JobChange =
  | { kind: 'progress'; status: 'downloading' | 'printing' | 'paused'; percent: number }
  | { kind: 'final'; status: 'completed' | 'cancelled' | 'failed'; outcome: string };

const ACTIVE: ReadonlySet<JobStatus> = new Set(['starting', 'downloading', 'printing', 'paused']);
const RUNNING: ReadonlySet<JobStatus> = new Set(['printing', 'paused']);

export const OUTCOME = {
  completed: 'completed',
  cancelled: 'cancelled',
  cancelledOnPrinter: 'cancelled on the printer',
  stoppedEarly: 'the printer became ready before the job finished',
  lost: 'lost: the client reconnected',
} as const;

export function jobChange(job: JobFacts, report: ReportFacts): JobChange | null {
  if (!ACTIVE.has(job.status) && !job.lost) return null;
  if (report.jobId !== undefined && report.jobId !== String(job.id)) return null;
  if (report.blockingError !== undefined) {
    return { kind: 'final', status: 'failed', outcome: report.blockingError };
  }
  switch (report.state) {
    case 'downloading':
    case 'printing':
    case 'paused':
      return onJobState(job, report, report.state);
    case 'cancel':
      return cancelled(job);
    case 'ready':
      return onReady(job);
    default:
      return null;
  }
}

function onJobState(
  job: JobFacts,
  report: ReportFacts,
  state: 'downloading' | 'printing' | 'paused',
): JobChange | null {
  const percent = report.percent ?? job.percent;
  if (report.jobId !== undefined) return { kind: 'progress', status: state, percent };
  // No job id: only the end-of-print event (`printing` at 100 %) may finish a lost job.
  const finishing = state === 'printing' && report.percent === 100;
  if (job.lost) return finishing ? { kind: 'progress', status: state, percent } : null;
  if (job.status === 'starting') return null;
  return { kind: 'progress', status: state, percent };
}

function onReady(job: JobFacts): JobChange | null {
  if (job.lost) return null;
  if (job.cancelRequested) return cancelled(job);
  if (!RUNNING.has(job.status)) return null; // starting or downloading: the print has not begun
  if (job.status === 'printing' && job.percent >= 100) {
    return { kind: 'final', status: 'completed', outcome: OUTCOME.completed };
  }
  return { kind: 'final', status: 'failed', outcome: OUTCOME.stoppedEarly };
}

function cancelled(job: JobFacts): JobChange {
  const outcome = job.cancelRequested ? OUTCOME.cancelled : OUTCOME.cancelledOnPrinter;
  return { kind: 'final', status: 'cancelled', outcome };
}
