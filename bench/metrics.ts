/**
 * The numbers the report shows, derived from one run (and, for regime A, the
 * host's baseline run). Two throughputs:
 *
 * - whole: job lines / wall time of the host process, start-up, handshake,
 *   heating and homing included;
 * - streaming: lines over the time the stream itself took. In regime A that
 *   is the time until the host reported the job done minus the same on a
 *   header-only job (start-up and handshake). In B and C it comes from the virtual
 *   printer's own clock: after G28 the planner is busy moves × move time, plus
 *   every millisecond it stood empty waiting for the host (plannerStarvedMs),
 *   so that sum is how long streaming the moves took, and move time / that
 *   sum is the share of the physical limit reached.
 */
import type { RunResult } from './run-one.js';

export interface Metrics {
  wallS: number | null;
  wholeLps: number | null;
  streamS: number | null;
  streamLps: number | null;
  /** B and C only: moves × move time / streaming time, in %. */
  physicalPct: number | null;
  cpuS: number | null;
  cpuUsPerLine: number | null;
  /** CPU per line without the host's start-up and shutdown (its baseline run's CPU). */
  netCpuUsPerLine: number | null;
  rssMb: number | null;
  correct: boolean;
  resends: number | null;
  resendsPer10k: number | null;
  /** Lines the printer corrupted on purpose (regime C). */
  faults: number | null;
  underruns: number | null;
  starvedMs: number | null;
  printerCpuS: number | null;
}

export interface Baseline {
  wallS: number;
  /** Start until the host reported the job done (its wall time without shutdown). */
  completedAfterS: number | null;
  cpuS: number;
}

export function metricsOf(run: RunResult, moveTimeMs: number, baseline: Baseline | null): Metrics {
  const h = run.hostRun;
  const ok = run.failure === null && h !== null;
  const wallS = h ? h.wallS : null;
  const cpuS = h ? h.userS + h.sysS : null;
  const stream = ok ? streaming(run, moveTimeMs, baseline) : null;
  const resends = run.stats?.resendsRequested ?? null;
  const p = run.printerRun;
  return {
    wallS,
    wholeLps: ok && wallS ? run.jobLines / wallS : null,
    streamS: stream?.seconds ?? null,
    streamLps: stream?.lps ?? null,
    physicalPct: stream?.physicalPct ?? null,
    cpuS,
    cpuUsPerLine: cpuS === null ? null : (cpuS / run.jobLines) * 1e6,
    netCpuUsPerLine:
      cpuS === null || !baseline ? null : ((cpuS - baseline.cpuS) / run.jobLines) * 1e6,
    rssMb: h ? h.maxRssKb / 1024 : null,
    correct: ok && run.verdict.correct,
    resends,
    resendsPer10k: resends === null ? null : (resends / run.jobLines) * 10_000,
    faults: run.stats ? Object.values(run.stats.faultsInjected).reduce((a, b) => a + b, 0) : null,
    underruns: run.stats?.plannerUnderruns ?? null,
    starvedMs: run.stats?.plannerStarvedMs ?? null,
    printerCpuS: p ? p.userS + p.sysS : null,
  };
}

interface Streaming {
  seconds: number;
  lps: number;
  physicalPct: number | null;
}

function streaming(
  run: RunResult,
  moveTimeMs: number,
  baseline: Baseline | null,
): Streaming | null {
  if (moveTimeMs > 0) {
    if (!run.stats) return null;
    const busyMs = run.moves * moveTimeMs;
    const totalMs = busyMs + run.stats.plannerStarvedMs;
    return {
      seconds: totalMs / 1000,
      lps: run.linesAfterHome / (totalMs / 1000),
      physicalPct: (100 * busyMs) / totalMs,
    };
  }
  if (!baseline || !run.hostRun) return null;
  // Completion times leave out shutdown, which varies by a second from run to run
  // in printos (see the report's observations); wall times are the fallback.
  const seconds =
    run.completedAfterS !== null && baseline.completedAfterS !== null
      ? run.completedAfterS - baseline.completedAfterS
      : run.hostRun.wallS - baseline.wallS;
  return seconds > 0 ? { seconds, lps: run.jobLines / seconds, physicalPct: null } : null;
}
