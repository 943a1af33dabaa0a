/** Command-line options of `npm run bench` (see bench/README.md). */
import { parseArgs } from 'node:util';
import { HOST_NAMES, type HostName } from './hosts.js';
import { REGIME_IDS, type RegimeId } from './regimes.js';

export interface BenchOptions {
  quick: boolean;
  regimes: RegimeId[];
  sizes: number[];
  hosts: HostName[];
  /** printcore runs regimes B and C only up to this size (ping-pong takes ~10 ms a line there). */
  printcoreWireMax: number;
  out: string;
  seed: number;
  /** Multiplies every per-run time limit. */
  timeoutScale: number;
  keepTemp: boolean;
  /** Skip scripts/ensure-deps.sh (it runs `npm ci` when node_modules has no install stamp). */
  skipDeps: boolean;
  /** The command line as typed, for the report. */
  command: string;
}

const FULL_SIZES = [20_000, 200_000];
const QUICK_SIZES = [500, 2_000];

export const USAGE = `usage: npm run bench -- [--quick] [--regimes A,B,C] [--sizes 20000,200000]
       [--hosts printos,printcore] [--printcore-wire-max 20000] [--out docs/benchmarks.md]
       [--seed 1] [--timeout-scale 1] [--keep-temp] [--skip-deps]`;

export function parseBenchOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      regimes: { type: 'string' },
      sizes: { type: 'string' },
      hosts: { type: 'string' },
      'printcore-wire-max': { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'timeout-scale': { type: 'string', default: '1' },
      'keep-temp': { type: 'boolean', default: false },
      'skip-deps': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(USAGE);
  const quick = values.quick;
  const sizes = values.sizes
    ? numberList(values.sizes, '--sizes')
    : quick
      ? QUICK_SIZES
      : FULL_SIZES;
  return {
    quick,
    regimes: values.regimes ? oneOfList(values.regimes, REGIME_IDS, '--regimes') : [...REGIME_IDS],
    sizes,
    hosts: values.hosts ? oneOfList(values.hosts, HOST_NAMES, '--hosts') : [...HOST_NAMES],
    printcoreWireMax: values['printcore-wire-max']
      ? positive(values['printcore-wire-max'], '--printcore-wire-max')
      : quick
        ? Math.min(...sizes)
        : 20_000,
    // A quick run is a smoke test: it must not overwrite the published results.
    out: values.out ?? (quick ? 'bench/results/quick.md' : 'docs/benchmarks.md'),
    seed: positive(values.seed, '--seed'),
    timeoutScale: positive(values['timeout-scale'], '--timeout-scale'),
    keepTemp: values['keep-temp'],
    skipDeps: values['skip-deps'],
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  };
}

export class UsageError extends Error {}

function numberList(text: string, name: string): number[] {
  return text.split(',').map((item) => positive(item.trim(), name));
}

function positive(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`${name}: expected a positive number, got "${text}"\n${USAGE}`);
  }
  return value;
}

function oneOfList<T extends string>(text: string, allowed: readonly T[], name: string): T[] {
  const items = text.split(',').map((item) => item.trim());
  const bad = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (bad.length > 0 || items.length === 0) {
    throw new UsageError(`${name}: expected some of ${allowed.join(', ')}, got "${text}"`);
  }
  return items as T[];
}
