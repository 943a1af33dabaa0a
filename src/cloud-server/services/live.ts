/**
 * A printer's live state, built from delta-compressed reports (protocol doc §1.7.2),
 * pure. A field absent from a report keeps its last value; job fields (job id, file
 * name, line) are forgotten once the printer leaves the job states, since a client does
 * not say "no job" explicitly.
 */
import type { Report, ReportError } from '../../streamer-api/index.js';

export interface LiveState {
  state?: string;
  percent?: number;
  temps?: number[];
  target_temps?: number[];
  line_number?: number;
  estimated_time?: number | null;
  filename?: string;
  clouds_job_id?: string | number;
  printers_job_id?: string;
  coords?: number[];
  ext?: Record<string, unknown>;
}

export interface LiveError {
  code: number;
  message: string;
  level: number;
  at: number;
}

export const JOB_REPORT_STATES: ReadonlySet<string> = new Set([
  'downloading',
  'printing',
  'paused',
]);

const KEPT_KEYS = [
  'state',
  'percent',
  'temps',
  'target_temps',
  'line_number',
  'estimated_time',
  'filename',
  'clouds_job_id',
  'printers_job_id',
  'coords',
] as const;

const JOB_KEYS = ['filename', 'clouds_job_id', 'printers_job_id', 'line_number'] as const;
const MAX_EXT_KEYS = 32;
const MAX_ERRORS = 10;

export function mergeLive(previous: LiveState, report: Report): LiveState {
  const next: LiveState = { ...previous };
  const target = next as Record<string, unknown>;
  for (const key of KEPT_KEYS) {
    const value = (report as Record<string, unknown>)[key];
    if (value !== undefined) target[key] = value;
  }
  if (report.ext) {
    const ext = { ...(previous.ext ?? {}), ...report.ext };
    next.ext = Object.fromEntries(Object.entries(ext).slice(0, MAX_EXT_KEYS));
  }
  if (!JOB_REPORT_STATES.has(report.state)) {
    for (const key of JOB_KEYS) delete target[key];
  }
  return next;
}

/** The job id a report is about: its own, or (delta compression) the one last reported. */
export function reportedJobId(previous: LiveState, report: Report): string | undefined {
  if (!JOB_REPORT_STATES.has(report.state)) return undefined;
  const id = report.clouds_job_id ?? previous.clouds_job_id;
  return id === undefined ? undefined : String(id);
}

/** The newest errors first, capped; each with the time it arrived. */
export function mergeErrors(
  previous: readonly LiveError[],
  incoming: readonly ReportError[] | undefined,
  now: number,
): LiveError[] {
  if (!incoming || incoming.length === 0) return [...previous];
  const added = incoming.map((error) => ({ ...error, at: now }));
  return [...added.reverse(), ...previous].slice(0, MAX_ERRORS);
}

/** Parses stored JSON that this module wrote; a damaged value is an empty state. */
export function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}
