/**
 * What the printers list shows of each printer, computed once for the page and for
 * the live updates (so both say the same): plain strings, formatted on the server.
 */
import type { WebContext } from './context.js';
import { formatDuration } from './progress.js';

export interface PrinterCard {
  id: string;
  name: string;
  state: string;
  error: string | null;
  temperatures: string;
  job: string | null;
  percent: number | null;
  percentText: string;
  timeLeft: string;
  cloud: string;
  port: string;
  /** How the last job ended, e.g. "benchy.gcode: completed". */
  lastJob: string | null;
}

export interface LiveState {
  account: string | null;
  offline: boolean;
  printers: PrinterCard[];
}

const HEATER_NAMES: Record<string, string> = { B: 'Bed', C: 'Chamber', P: 'Probe', T: 'Tool' };

export function heaterName(id: string): string {
  const tool = /^T(\d+)$/.exec(id);
  if (tool) return `Tool ${Number(tool[1]) + 1}`;
  return HEATER_NAMES[id] ?? id;
}

export function liveState(ctx: WebContext): LiveState {
  const { service } = ctx.deps;
  return {
    account: service.account?.email ?? null,
    offline: service.offline,
    printers: service.printers().map((printer) => {
      const snapshot = printer.snapshot();
      const job = snapshot.job;
      const percent = job ? Math.max(0, Math.min(100, job.percent)) : null;
      return {
        id: printer.key,
        name: printer.name,
        state: snapshot.state,
        error: printer.lastError ?? null,
        temperatures: formatTemperatures(snapshot.temperatures),
        job: job?.filename ?? null,
        percent,
        percentText: percent === null ? '—' : `${percent.toFixed(1)} %`,
        timeLeft: formatDuration(ctx.progress.secondsLeft(printer.key, job)),
        cloud: cloudText(ctx, printer.key),
        port: typeof printer.identity.COM === 'string' ? printer.identity.COM : '',
        lastJob: printer.lastJob
          ? `${printer.lastJob.filename}: ${printer.lastJob.outcome}${printer.lastJob.message ? ` (${printer.lastJob.message})` : ''}`
          : null,
      };
    }),
  };
}

function formatTemperatures(
  readings: ReadonlyArray<{ id: string; current: number; target?: number }>,
): string {
  if (readings.length === 0) return '—';
  return readings
    .map((t) => {
      const target = t.target === undefined ? '' : ` / ${Math.round(t.target)}`;
      return `${heaterName(t.id)} ${t.current.toFixed(1)}${target} °C`;
    })
    .join(' · ');
}

function cloudText(ctx: WebContext, id: string): string {
  const { service } = ctx.deps;
  if (service.offline) return 'offline mode';
  if (!service.account) return 'not linked';
  const link = service.linkState(id);
  if (!link) return 'not linked';
  if (link.linked) return link.lastError ? `linked (last error: ${link.lastError})` : 'linked';
  return link.lastError ? `connecting (${link.lastError})` : 'connecting';
}
