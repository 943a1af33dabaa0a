/**
 * Reports for the command loop (protocol doc §1.7.2), pure: a snapshot in, a report out.
 * Delta compression is split in three steps so the loop can remember what the cloud has
 * actually received: `buildReport` (everything), `compressReport` (minus what was
 * delivered), `deliveredFields` (what to remember once the cloud has answered).
 */
import type { HeaterReading } from '../gcode/messages.js';
import { JOB_ACTIVE_STATES, OPERATIONAL_STATES, type PrinterState } from '../printer/states.js';
import type { Report, ReportState } from '../streamer-api/index.js';
import type { PrinterSnapshot } from './types.js';

/** A job the link is downloading for the printer (state `downloading`). */
export interface DownloadProgress {
  percent: number;
  filename: string;
  cloudJobId?: string | number;
}

export interface ReportInput {
  snapshot: PrinterSnapshot;
  download: DownloadProgress | null;
  /** Console lines not yet delivered to the cloud. */
  console?: readonly string[];
}

/** Fields omitted while unchanged since the last delivered report; `ext.*` keys also are. */
const DELTA_KEYS = [
  'line_number',
  'coords',
  'material_names',
  'material_desc',
  'material_volumes',
  'material_colors_hex',
  'estimated_time',
  'filename',
  'clouds_job_id',
  'printers_job_id',
] as const;

/** Field → JSON of the value the cloud last received; `ext.<key>` for ext entries. */
export type DeliveredFields = ReadonlyMap<string, string>;

export const NOTHING_DELIVERED: DeliveredFields = new Map();

/** Most tools a report carries: the schema allows 16 entries, bed included. */
const MAX_TOOLS = 15;
const MAX_CONSOLE_LINE = 4096;

/** The report state of a printer state (§4.6 priority: error, connecting, paused, downloading, printing). */
export function reportState(state: PrinterState, downloading: boolean): ReportState {
  switch (state) {
    case 'disconnected':
    case 'connecting':
      return 'connecting';
    case 'error':
    case 'halted':
      return 'error';
    case 'paused':
      return 'paused';
    default:
      if (downloading) return 'downloading';
      return state === 'ready' ? 'ready' : 'printing';
  }
}

/** The full report: every field the snapshot gives, before delta compression. */
export function buildReport(input: ReportInput): Report {
  const { snapshot, download } = input;
  const state = reportState(snapshot.state, download !== null);
  if (!OPERATIONAL_STATES.has(snapshot.state)) return { state };
  const report: Report = {
    state,
    percent: 0,
    ...heaterArrays(snapshot.temperatures),
  };
  if (state === 'downloading' && download) {
    report.percent = clampPercent(download.percent);
    report.filename = download.filename;
    if (download.cloudJobId !== undefined) report.clouds_job_id = download.cloudJobId;
  } else if (snapshot.job && JOB_ACTIVE_STATES.has(snapshot.state)) {
    report.percent = clampPercent(snapshot.job.percent);
    report.line_number = Math.max(0, Math.trunc(snapshot.job.line));
    report.filename = snapshot.job.filename.slice(0, 255);
    if (snapshot.job.cloudJobId !== undefined) report.clouds_job_id = snapshot.job.cloudJobId;
  }
  const lines = input.console ?? [];
  if (lines.length > 0) report.response = lines.map((line) => line.slice(0, MAX_CONSOLE_LINE));
  return report;
}

/** `report` without the fields whose value the cloud already received. */
export function compressReport(report: Report, delivered: DeliveredFields): Report {
  const compressed: Report = { ...report };
  const fields = compressed as Record<string, unknown>;
  for (const key of DELTA_KEYS) {
    if (key in fields && delivered.get(key) === JSON.stringify(fields[key])) delete fields[key];
  }
  if (report.ext) {
    const ext = Object.fromEntries(
      Object.entries(report.ext).filter(
        ([key, value]) => delivered.get(`ext.${key}`) !== JSON.stringify(value),
      ),
    );
    if (Object.keys(ext).length > 0) compressed.ext = ext;
    else delete compressed.ext;
  }
  return compressed;
}

/**
 * What the cloud holds once `report` (the full one) was delivered. A field absent from
 * it is forgotten, so it is sent again when it comes back even with the same value.
 */
export function deliveredFields(report: Report): DeliveredFields {
  const delivered = new Map<string, string>();
  const fields = report as Record<string, unknown>;
  for (const key of DELTA_KEYS) {
    if (fields[key] !== undefined) delivered.set(key, JSON.stringify(fields[key]));
  }
  for (const [key, value] of Object.entries(report.ext ?? {})) {
    delivered.set(`ext.${key}`, JSON.stringify(value));
  }
  return delivered;
}

/** A queued event (e.g. `{state:'ready', percent:100}`) overrides the report's fields. */
export function mergeEvent(report: Report, event: Partial<Report> | undefined): Report {
  return event ? { ...report, ...event } : report;
}

/** `temps` / `target_temps`: index 0 the bed, then tool 0, 1, …; a missing heater is 0. */
export function heaterArrays(readings: readonly HeaterReading[]): {
  temps: number[];
  target_temps: number[];
} {
  let tools = 1;
  const slots = new Map<number, HeaterReading>();
  for (const reading of readings) {
    const slot = heaterSlot(reading.id);
    if (slot === null || slot > MAX_TOOLS) continue;
    slots.set(slot, reading);
    tools = Math.max(tools, slot);
  }
  const temps: number[] = [];
  const targets: number[] = [];
  for (let slot = 0; slot <= tools; slot++) {
    const reading = slots.get(slot);
    temps.push(round2(reading?.current));
    targets.push(round2(reading?.target));
  }
  return { temps, target_temps: targets };
}

/** 0 for the bed, n+1 for tool n (`T` alone is tool 0); null for chamber, probe, … */
function heaterSlot(id: string): number | null {
  if (id === 'B') return 0;
  if (id === 'T') return 1;
  const tool = /^T(\d{1,2})$/.exec(id);
  return tool ? Number(tool[1]) + 1 : null;
}

function round2(value: number | undefined): number {
  if (value === undefined || !Number.isFinite(value)) return 0;
  return Math.round(value * 100) / 100;
}

function clampPercent(value: number): number {
  if (!Number.isFinite(value)) return 0;
  return round2(Math.min(100, Math.max(0, value)));
}
