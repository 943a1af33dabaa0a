/**
 * One run: a fresh virtual printer, one host printing one file on it, then the
 * printer stopped and its record checked against the file.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { type HostName, hostCommand, timeLimitS } from './hosts.js';
import type { Job } from './jobs.js';
import {
  type PrinterOutcome,
  type PrinterRun,
  type PrinterStats,
  startPrinter,
} from './printer.js';
import { type Finished, type Measurement, runMeasured } from './processes.js';
import type { Regime, RegimeId } from './regimes.js';
import { type LoadMark, markLoad, otherLoadPct } from './system-load.js';
import { jobOf, parseRecord, type Verdict, verify } from './verify.js';

export interface RunResult {
  regime: RegimeId;
  host: HostName;
  size: number;
  jobLines: number;
  moves: number;
  linesAfterHome: number;
  timeLimitS: number;
  hostRun: Measurement | null;
  printerRun: Measurement | null;
  stats: PrinterStats | null;
  verdict: Verdict;
  /** printcore_print.py's own clock: startprint → printing false (epoch ms). */
  printcoreWindow: { streamStartMs: number; streamEndMs: number } | null;
  /**
   * Seconds from the host's start until it reported the job done (printos's
   * "printed" line, printcore's end of `printing`): its wall time without shutdown.
   */
  completedAfterS: number | null;
  /** CPU the rest of the machine used during the host's run, in % of all cores (system-load.ts). */
  otherLoadPct: number | null;
  /** Why the run does not count (timeout, exit status, no printer); null when it ran to its end. */
  failure: string | null;
}

export async function runOne(
  regime: Regime,
  host: HostName,
  job: Job,
  dir: string,
  timeoutScale = 1,
  tag = '',
): Promise<RunResult> {
  const label = `${regime.id}-${job.size}-${host}${tag}`;
  const printer = await startPrinter(regime.printerArgs, dir, label);
  const limit = timeLimitS(host, regime.id, job.expected.length) * timeoutScale;
  let load: [LoadMark, LoadMark] | null = null;
  const [hostRun, outcome] = await whilePrinting(printer, async () => {
    const start = markLoad(printer.pid);
    const finished = await runMeasured(hostCommand(host, printer.path, job.path), limit, {
      result: join(dir, `${label}.host.json`),
      log: join(dir, `${label}.host.log`),
      pid: join(dir, `${label}.host.pid`),
    });
    load = [start, markLoad(printer.pid)];
    return finished;
  });
  const verdict = verify(job.expected, jobOf(parseRecord(outcome.record)));
  return {
    regime: regime.id,
    host,
    size: job.size,
    jobLines: job.expected.length,
    moves: job.moves,
    linesAfterHome: job.linesAfterHome,
    timeLimitS: limit,
    hostRun: hostRun.measurement,
    printerRun: outcome.measurement,
    stats: outcome.stats,
    verdict,
    printcoreWindow: host === 'printcore' ? printcoreWindow(hostRun.stdout) : null,
    completedAfterS: completedAfterS(host, hostRun),
    failure: failureOf(hostRun, limit, outcome.stats === null),
    otherLoadPct: otherLoad(load, hostRun.measurement),
  };
}

function otherLoad(load: [LoadMark, LoadMark] | null, m: Measurement | null): number | null {
  if (!load || !m) return null;
  return otherLoadPct(load[0], load[1], m.userS + m.sysS, m.wallS, cpus().length);
}

/** Runs the host, then stops the printer, also when the host could not be started. */
async function whilePrinting(
  printer: PrinterRun,
  print: () => Promise<Finished>,
): Promise<[Finished, PrinterOutcome]> {
  try {
    const finished = await print();
    return [finished, await printer.stop()];
  } catch (error) {
    await printer.stop();
    throw error;
  }
}

function failureOf(run: Finished, limitS: number, noStats: boolean): string | null {
  const m = run.measurement;
  if (!m) return 'the measuring wrapper died (no result)';
  if (m.timedOut) return `hung: killed after the ${Math.round(limitS)} s limit`;
  if (m.exitCode !== 0) {
    const last = run.stderr.trim().split('\n').pop() ?? '';
    return `exit ${m.exitCode ?? `signal ${m.signal}`}: ${last.slice(0, 160)}`;
  }
  if (noStats) return 'the virtual printer left no --stats';
  return null;
}

function completedAfterS(host: HostName, run: Finished): number | null {
  const m = run.measurement;
  if (!m) return null;
  const doneAtMs =
    host === 'printos'
      ? run.stdoutChunks.find((chunk) => chunk.text.includes('printed '))?.atMs
      : printcoreWindow(run.stdout)?.streamEndMs;
  // Both clocks are the wall clock (Date.now here, time.time in measure.py).
  return doneAtMs === undefined ? null : (doneAtMs - m.startedAtMs) / 1000;
}

const windowSchema = z.object({ streamStartMs: z.number(), streamEndMs: z.number() });

function printcoreWindow(stdout: string): RunResult['printcoreWindow'] {
  for (const line of stdout.split('\n')) {
    try {
      const parsed = windowSchema.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data;
    } catch {
      // not the JSON line
    }
  }
  return null;
}
