/** What the report says about where and with what it ran. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { PYTHON } from './hosts.js';

export interface Environment {
  date: string;
  machine: string;
  node: string;
  python: string;
  printcore: string;
  printos: string;
}

/** dpkg-query's format field, literally `${Version}`. */
const DPKG_VERSION = '$' + '{Version}';

function run(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    return 'unknown';
  }
}

function printosVersion(): string {
  const head = run('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = run('git', ['status', '--porcelain', '--', 'src', 'bin']) !== '';
  return `git ${head}${dirty ? ' plus uncommitted changes in src/ or bin/' : ''}`;
}

export function describeEnvironment(): Environment {
  const cpu = cpus();
  const gib = (totalmem() / 2 ** 30).toFixed(0);
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    machine: `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${gib} GiB RAM, Linux ${release()}`,
    node: process.version,
    python: run(PYTHON, ['--version']),
    printcore: ['printrun-common', 'printcore']
      .map((p) => `${p} ${run('dpkg-query', ['-W', `-f=${DPKG_VERSION}`, p])}`)
      .join(', '),
    printos: printosVersion(),
  };
}

const ROOT = resolve(import.meta.dirname, '..');

/**
 * A digest of src/ and bin/: every host run compiles printos afresh, so an
 * edit made by someone else during a long bench would mix versions. The
 * report compares the digest from the start with the one from the end.
 */
export function sourceDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        hash.update(path);
        hash.update(readFileSync(path));
      }
    }
  };
  walk(join(ROOT, 'src'));
  walk(join(ROOT, 'bin'));
  return hash.digest('hex').slice(0, 12);
}
