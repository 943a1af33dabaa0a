/**
 * `npm run bench`: printos against printcore, side by side in one run, in the
 * regimes of bench/regimes.ts, on generated files of the given sizes. Writes
 * docs/benchmarks.md (or --out) and the raw numbers to bench/results/.
 * See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type HostBaseline, measureBaselines } from './baseline.js';
import type { HostName } from './hosts.js';
import { type Job, prepareJob } from './jobs.js';
import { describeEnvironment, sourceDigest } from './machine.js';
import { metricsOf } from './metrics.js';
import { type BenchOptions, parseBenchOptions, UsageError } from './options.js';
import { type Regime, regime } from './regimes.js';
import { renderReport, type Skipped } from './report.js';
import { type RunResult, runOne } from './run-one.js';
import { checkTargets, type Row } from './targets.js';
import { jobOf, verify } from './verify.js';

const ROOT = resolve(import.meta.dirname, '..');

export interface Planned {
  regime: Regime;
  host: HostName;
  job: Job;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function ensureDeps(options: BenchOptions): void {
  if (!options.skipDeps) {
    execFileSync('bash', [join(ROOT, 'scripts/ensure-deps.sh'), '--bench'], { stdio: 'inherit' });
  }
  // Measure the compiled CLI users run (bin/printos.js falls back to tsx when dist/ is stale).
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}

/** printcore in B and C is ping-pong at ~12.5 ms a line: 200k lines would take ~40 min each. */
function plan(
  options: BenchOptions,
  jobs: Map<number, Job>,
): { runs: Planned[]; skipped: Skipped[] } {
  const runs: Planned[] = [];
  const skipped: Skipped[] = [];
  for (const id of options.regimes) {
    const r = regime(id, options.seed);
    for (const size of options.sizes) {
      for (const host of options.hosts) {
        const job = jobs.get(size);
        if (!job) continue;
        if (host === 'printcore' && id !== 'A' && size > options.printcoreWireMax) {
          const reason = `capped at ${options.printcoreWireMax} lines in B/C to keep the bench short; at printcore's ping-pong rate this run alone would take ~${((job.expected.length * 0.0125) / 60).toFixed(1)} min`;
          skipped.push({ regime: id, host, size, reason });
        } else {
          runs.push({ regime: r, host, job });
        }
      }
    }
  }
  return { runs, skipped };
}

/** A run that could not even start still gets a row, marked failed. */
function failedRun(p: Planned, error: unknown): RunResult {
  return {
    regime: p.regime.id,
    host: p.host,
    size: p.job.size,
    jobLines: p.job.expected.length,
    moves: p.job.moves,
    linesAfterHome: p.job.linesAfterHome,
    timeLimitS: 0,
    hostRun: null,
    printerRun: null,
    stats: null,
    verdict: verify(p.job.expected, jobOf([])),
    printcoreWindow: null,
    completedAfterS: null,
    otherLoadPct: null,
    failure: `bench error: ${error instanceof Error ? error.message : String(error)}`,
  };
}

export async function execute(
  p: Planned,
  dir: string,
  timeoutScale: number,
  tag = '',
): Promise<RunResult> {
  try {
    return await runOne(p.regime, p.host, p.job, dir, timeoutScale, tag);
  } catch (error) {
    return failedRun(p, error);
  }
}

function summary(row: Row): string {
  const m = row.metrics;
  const r = row.run;
  const pct = m.physicalPct === null ? '' : `, ${m.physicalPct.toFixed(1)}% of limit`;
  const state = r.failure ? `FAILED: ${r.failure}` : r.verdict.correct ? 'correct' : 'NOT correct';
  return `${r.regime} ${r.size} ${r.host}: ${m.wallS?.toFixed(1) ?? '?'} s, ${Math.round(m.streamLps ?? 0)} lines/s streaming${pct}, ${m.cpuS?.toFixed(2) ?? '?'} s CPU, ${state}`;
}

async function main(argv: string[]): Promise<number> {
  const options = parseBenchOptions(argv);
  ensureDeps(options);
  const started = performance.now();
  const digestBefore = sourceDigest();
  const dir = await mkdtemp(join(tmpdir(), 'printos-bench-'));
  log(`working in ${dir}`);
  const jobs = new Map<number, Job>();
  for (const size of options.sizes) jobs.set(size, await prepareJob(dir, size, options.seed));
  const base = await measureBaselines(options, dir, execute, log);
  const { runs, skipped } = plan(options, jobs);
  const rows: Row[] = [];
  for (const [i, p] of runs.entries()) {
    log(`[${i + 1}/${runs.length}] regime ${p.regime.id}, ${p.job.size} lines, ${p.host} …`);
    const run = await execute(p, dir, options.timeoutScale);
    const row = { run, metrics: metricsOf(run, p.regime.moveTimeMs, base.get(p.host) ?? null) };
    rows.push(row);
    log(summary(row));
  }
  const totalS = (performance.now() - started) / 1000;
  const digest = { before: digestBefore, after: sourceDigest() };
  await publish(options, rows, skipped, base, totalS, digest);
  if (!options.keepTemp) await rm(dir, { recursive: true, force: true });
  return rows.every((r) => r.run.failure === null) ? 0 : 1;
}

async function publish(
  options: BenchOptions,
  rows: Row[],
  skipped: Skipped[],
  base: Map<HostName, HostBaseline>,
  totalS: number,
  digest: { before: string; after: string },
): Promise<void> {
  const targets = checkTargets(rows, options.sizes);
  const env = describeEnvironment();
  const report = renderReport({
    command: options.command,
    env,
    regimes: options.regimes.map((id) => regime(id, options.seed)),
    sizes: options.sizes,
    rows,
    skipped,
    targets,
    baselines: [...base.entries()].map(([host, b]) => ({ host, ...b })),
    totalS,
    quick: options.quick,
    digest,
  });
  const out = resolve(ROOT, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, report);
  const raw = resolve(ROOT, 'bench/results', `${env.date.replace(/[:]/g, '-')}.json`);
  await mkdir(dirname(raw), { recursive: true });
  await writeFile(raw, JSON.stringify({ options, env, rows, skipped, targets }, null, 2));
  log(`report: ${out}; raw numbers: ${raw}`);
  for (const t of targets) {
    const result = t.met === null ? 'not measured' : t.met ? 'met' : 'MISSED';
    log(`${t.target}${t.size ? ` @${t.size}` : ''}: ${t.measured} → ${result}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  } else {
    throw error;
  }
}
