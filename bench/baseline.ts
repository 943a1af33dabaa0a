/**
 * What a host costs besides streaming: start-up, handshake, a few lines,
 * shutdown. Measured on a header-only job in regime A (no waiting), five
 * times per host because start-up and shutdown times vary (printos's exit
 * sometimes lags by a second), and the median is kept. Regime A's streaming
 * time and every regime's CPU per line "without start-up" subtract it.
 */

import type { HostName } from './hosts.js';
import { BASELINE_SIZE, type Job, prepareJob } from './jobs.js';
import type { Baseline } from './metrics.js';
import type { BenchOptions } from './options.js';
import { type Regime, regime } from './regimes.js';
import type { RunResult } from './run-one.js';

export interface HostBaseline extends Baseline {
  rssMb: number;
}

type Execute = (
  p: { regime: Regime; host: HostName; job: Job },
  dir: string,
  timeoutScale: number,
  tag: string,
) => Promise<RunResult>;

const REPEATS = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function measureBaselines(
  options: BenchOptions,
  dir: string,
  execute: Execute,
  log: (message: string) => void,
): Promise<Map<HostName, HostBaseline>> {
  const out = new Map<HostName, HostBaseline>();
  const job = await prepareJob(dir, BASELINE_SIZE, options.seed);
  for (const host of options.hosts) {
    const runs: HostBaseline[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const plan = { regime: regime('A', options.seed), host, job };
      const run = await execute(plan, dir, options.timeoutScale, `-${i}`);
      const h = run.hostRun;
      if (run.failure || !h) {
        log(`baseline ${host} #${i + 1} failed: ${run.failure ?? 'no measurement'}`);
        continue;
      }
      runs.push({
        wallS: h.wallS,
        completedAfterS: run.completedAfterS,
        cpuS: h.userS + h.sysS,
        rssMb: h.maxRssKb / 1024,
      });
    }
    if (runs.length === 0) continue;
    const done = runs.map((r) => r.completedAfterS).filter((v): v is number => v !== null);
    const b = {
      wallS: median(runs.map((r) => r.wallS)),
      completedAfterS: done.length === runs.length ? median(done) : null,
      cpuS: median(runs.map((r) => r.cpuS)),
      rssMb: median(runs.map((r) => r.rssMb)),
    };
    out.set(host, b);
    log(
      `baseline ${host}: ${b.wallS.toFixed(2)} s wall, ${b.cpuS.toFixed(2)} s CPU (median of ${runs.length})`,
    );
  }
  return out;
}
