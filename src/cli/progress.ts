import type { JobProgress } from '../printer/sender/job-tracker.js';

export interface ProgressSample {
  progress: JobProgress;
  /** Seconds since the job started. */
  elapsed: number;
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
  return `[${bar}] ${sample.progress.percent.toFixed(1).padStart(5)}%  ${Math.round(linesPerSecond)} lines/s  ${formatDuration(secondsLeft)} left`;
}

/** A plain log line for pipes and files. */
export function progressLine(sample: ProgressSample): string {
  const { linesPerSecond, secondsLeft } = rates(sample);
  const p = sample.progress;
  return `progress ${p.percent.toFixed(1)}% lines=${p.linesAcked} bytes=${p.bytesAcked}/${p.totalBytes} rate=${Math.round(linesPerSecond)}/s left=${formatDuration(secondsLeft)}`;
}
