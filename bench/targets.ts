/**
 * The targets, checked against one bench run. A target is "not
 * measured" (met: null) when a run it needs is missing or failed, never
 * silently passed.
 */
import type { HostName } from './hosts.js';
import type { Metrics } from './metrics.js';
import type { RegimeId } from './regimes.js';
import type { RunResult } from './run-one.js';

export interface Row {
  run: RunResult;
  metrics: Metrics;
}

export interface TargetCheck {
  target: string;
  size: number | null;
  measured: string;
  met: boolean | null;
}

type Find = (regime: RegimeId, host: HostName, size: number) => Row | undefined;

function finder(rows: readonly Row[]): Find {
  return (regime, host, size) =>
    rows.find((r) => r.run.regime === regime && r.run.host === host && r.run.size === size);
}

const f1 = (n: number) => n.toFixed(1);

export function checkTargets(rows: readonly Row[], sizes: readonly number[]): TargetCheck[] {
  const find = finder(rows);
  return [
    ...sizes.flatMap((size) => regimeA(find, size)),
    ...sizes.map((size) => regimeB(find, size)),
    ...sizes.flatMap((size) => regimeC(find, size)),
    ...(['A', 'B', 'C'] as const).map((regime) => rssFlat(find, regime, sizes)),
  ].filter((check): check is TargetCheck => check !== null);
}

function regimeA(find: Find, size: number): TargetCheck[] {
  const ours = find('A', 'printos', size)?.metrics;
  const theirs = find('A', 'printcore', size)?.metrics;
  if (!ours && !theirs) return [];
  const lps = ratio(ours?.streamLps, theirs?.streamLps);
  const whole = ratio(ours?.wholeLps, theirs?.wholeLps);
  const cpu = ratio(theirs?.cpuUsPerLine, ours?.cpuUsPerLine);
  const net = ratio(theirs?.netCpuUsPerLine, ours?.netCpuUsPerLine);
  return [
    {
      target: '(A) lines/s ≥ 10× printcore',
      size,
      measured:
        lps !== null
          ? `${f1(lps)}× streaming (${f1(whole ?? 0)}× whole-process)`
          : whole !== null
            ? `too short to separate streaming from start-up; ${f1(whole)}× whole-process`
            : 'a run is missing or failed',
      met: lps === null ? null : lps >= 10,
    },
    {
      target: '(A) CPU per line ≤ 1/3 of printcore',
      size,
      measured:
        cpu === null
          ? 'a run is missing or failed'
          : `${f1(ours?.cpuUsPerLine ?? 0)} vs ${f1(theirs?.cpuUsPerLine ?? 0)} µs/line whole-process: 1/${f1(cpu)}` +
            (net === null ? '' : `; without start-up 1/${f1(net)}`),
      met: cpu === null ? null : cpu >= 3,
    },
  ];
}

function regimeB(find: Find, size: number): TargetCheck | null {
  const row = find('B', 'printos', size);
  if (!row) return null;
  const pct = row.metrics.physicalPct;
  return {
    target: '(B) printos ≥ 95% of the physical limit',
    size,
    measured: pct === null ? `run failed: ${row.run.failure ?? '?'}` : `${f1(pct)}%`,
    met: pct === null ? null : pct >= 95 && row.metrics.correct,
  };
}

function regimeC(find: Find, size: number): TargetCheck[] {
  const c = find('C', 'printos', size);
  if (!c) return [];
  const b = find('B', 'printos', size);
  const share = ratio(c.metrics.streamLps, b?.metrics.streamLps);
  return [
    {
      target: '(C) printos 100% correct',
      size,
      measured: c.metrics.correct
        ? `yes (${c.metrics.resends ?? 0} resends)`
        : (c.run.failure ?? 'executed sequence differs from the file'),
      met: c.metrics.correct,
    },
    {
      target: '(C) printos ≥ 90% of its B throughput',
      size,
      measured: share === null ? 'B or C run missing or failed' : `${f1(100 * share)}%`,
      met: share === null ? null : share >= 0.9,
    },
  ];
}

function rssFlat(find: Find, regime: RegimeId, sizes: readonly number[]): TargetCheck | null {
  const small = Math.min(...sizes);
  const large = Math.max(...sizes);
  if (small === large) return null;
  const a = find(regime, 'printos', small)?.metrics.rssMb;
  const b = find(regime, 'printos', large)?.metrics.rssMb;
  if (a === undefined && b === undefined) return null;
  const grow = ratio(b, a);
  return {
    target: `(${regime}) printos peak RSS, ${large} lines within 10% of ${small}`,
    size: null,
    measured:
      grow === null || a === undefined || a === null || b === undefined || b === null
        ? 'a run is missing'
        : `${f1(a)} → ${f1(b)} MB (${grow >= 1 ? '+' : ''}${f1(100 * (grow - 1))}%)`,
    met: grow === null ? null : grow <= 1.1,
  };
}

function ratio(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined || b === null || b === undefined || b === 0) return null;
  return a / b;
}
