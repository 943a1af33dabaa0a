/**
 * Time left of a print, estimated from the rate of its progress since this process
 * first saw the job: (elapsed / percent gained) × percent left. No estimate until the
 * job has advanced a little, so the first seconds do not show nonsense.
 */
export interface JobProgress {
  filename: string;
  percent: number;
}

interface Seen {
  filename: string;
  firstAt: number;
  firstPercent: number;
}

/** Percent the job must gain before an estimate is shown. */
const MIN_GAIN = 0.5;

export class ProgressTracker {
  readonly #jobs = new Map<string, Seen>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** Seconds left for this printer's job, or null when unknown; forgets ended jobs. */
  secondsLeft(printerId: string, job: JobProgress | null): number | null {
    if (!job) {
      this.#jobs.delete(printerId);
      return null;
    }
    const now = this.#now();
    let seen = this.#jobs.get(printerId);
    if (!seen || seen.filename !== job.filename || job.percent < seen.firstPercent) {
      seen = { filename: job.filename, firstAt: now, firstPercent: job.percent };
      this.#jobs.set(printerId, seen);
    }
    const gained = job.percent - seen.firstPercent;
    if (gained < MIN_GAIN || job.percent >= 100) return job.percent >= 100 ? 0 : null;
    const perPercentMs = (now - seen.firstAt) / gained;
    return Math.round((perPercentMs * (100 - job.percent)) / 1000);
  }
}

/** 3725 → "1 h 2 min"; 42 → "42 s". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
