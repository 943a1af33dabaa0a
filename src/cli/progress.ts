import type { HeaterReading } from '../gcode/messages.js';
import type { JobProgress } from '../printer/sender/job-tracker.js';

export interface ProgressSample {
  progress: JobProgress;
  /** Seconds since the job started. */
  elapsed: number;
  temperatures?: readonly HeaterReading[];
}

/**
 * `T0 205/210 B 60/60`: current/target per heater, current alone without a target.
 * Logs use `T0:205/210,B:60/60`, one token that stays easy to grep.
 */
export function formatTemperatures(
  readings: readonly HeaterReading[] = [],
  style: 'terminal' | 'log' = 'terminal',
): string {
  const [inner, between] = style === 'terminal' ? [' ', ' '] : [':', ','];
  return readings
    .map((r) => {
      const value = `${Math.round(r.current)}${r.target === undefined ? '' : `/${Math.round(r.target)}`}`;
      return `${r.id}${inner}${value}`;
    })
    .join(between);
}

function withTemperatures(text: string, sample: ProgressSample): string {
  const temperatures = formatTemperatures(sample.temperatures);
  return temperatures === '' ? text : `${text}  ${temperatures}`;
}

/** Lines per second and seconds left, from the progress so far. */
export function rates(sample: ProgressSample): {
  linesPerSecond: number;
  secondsLeft: number | null;
} {
  const { progress, elapsed } = sample;
  const linesPerSecond = elapsed > 0 ? progress.linesAcked / elapsed : 0;
  const fraction = progress.percent / 100;
  const secondsLeft = fraction > 0.001 ? (elapsed * (1 - fraction)) / fraction : null;
  return { linesPerSecond, secondsLeft };
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One line for a terminal: `[#####-----]  52.3%  412 lines/s  0:42 left`. */
export function progressBar(sample: ProgressSample, width = 30): string {
  const { linesPerSecond, secondsLeft } = rates(sample);
  const filled = Math.round((width * sample.progress.percent) / 100);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(width - filled)}`;
  return withTemperatures(
    `[${bar}] ${sample.progress.percent.toFixed(1).padStart(5)}%  ${Math.round(linesPerSecond)} lines/s  ${formatDuration(secondsLeft)} left`,
    sample,
  );
}

/** A plain log line for pipes and files. */
export function progressLine(sample: ProgressSample): string {
  const { linesPerSecond, secondsLeft } = rates(sample);
  const p = sample.progress;
  const temperatures = formatTemperatures(sample.temperatures, 'log');
  const line = `progress ${p.percent.toFixed(1)}% lines=${p.linesAcked} bytes=${p.bytesAcked}/${p.totalBytes} rate=${Math.round(linesPerSecond)}/s left=${formatDuration(secondsLeft)}`;
  return temperatures === '' ? line : `${line} temps=${temperatures}`;
}
