/**
 * What the pages and the JSON API show of printers and jobs: plain objects, no secrets
 * (no tokens, no file paths, no host ids).
 */
import type { JobRow } from '../store/jobs.js';
import type { PrinterRow } from '../store/printers.js';
import { type LiveError, type LiveState, parseJson } from './live.js';

/** A printer that has not reported for this long is shown offline (the client polls every 2 s). */
export const OFFLINE_AFTER_MS = 20_000;

export interface PrinterView {
  id: number;
  name: string;
  state: string;
  online: boolean;
  percent: number | null;
  temps: number[];
  target_temps: number[];
  filename: string | null;
  job_id: number | null;
  last_seen: string | null;
  last_error: { code: number; message: string; at: string } | null;
}

export interface JobView {
  id: number;
  printer_id: number | null;
  printer_name: string;
  filename: string;
  size: number;
  sha256: string;
  status: string;
  percent: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  outcome: string | null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function printerView(
  printer: PrinterRow,
  activeJob: JobRow | undefined,
  now: number,
): PrinterView {
  const live = parseJson<LiveState>(printer.live_json, {});
  const errors = parseJson<LiveError[]>(printer.errors_json, []);
  const online = printer.last_seen !== null && now - printer.last_seen < OFFLINE_AFTER_MS;
  const error = errors[0];
  return {
    id: printer.id,
    name: printer.name,
    state: online ? (live.state ?? 'connecting') : 'offline',
    online,
    percent: typeof live.percent === 'number' ? live.percent : null,
    temps: live.temps ?? [],
    target_temps: live.target_temps ?? [],
    filename: activeJob?.filename ?? live.filename ?? null,
    job_id: activeJob?.id ?? null,
    last_seen: iso(printer.last_seen),
    last_error: error
      ? { code: error.code, message: error.message, at: iso(error.at) as string }
      : null,
  };
}

export function jobView(job: JobRow): JobView {
  return {
    id: job.id,
    printer_id: job.printer_id,
    printer_name: job.printer_name,
    filename: job.filename,
    size: job.size,
    sha256: job.sha256,
    status: job.status,
    percent: job.percent,
    created_at: iso(job.created_at) as string,
    started_at: iso(job.started_at),
    finished_at: iso(job.finished_at),
    outcome: job.outcome,
  };
}
