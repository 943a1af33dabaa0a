/**
 * `printos start --supervised`, reached from main.ts before the CLI framework loads: the
 * supervisor stays for as long as the service runs, so it loads only Node's own modules
 * and this folder's layout code — no commander, zod or pino: 47 MB of RSS instead of 57 MB
 * (a bare Node is 40 MB; docs/updates.md), which counts on a 512 MB Raspberry Pi.
 */
import { PrintosError } from '../core/errors.js';
import { findInstall, runningPackageRoot } from './layout.js';
import { Supervisor, type SupervisorLog } from './supervisor.js';

const LEVELS = { info: 30, error: 50 } as const;

/** JSON lines on stderr in pino's format (the journal and `printos logs` read the same). */
export function jsonLineLog(
  write: (line: string) => void = (line) => process.stderr.write(line),
): SupervisorLog {
  const line = (level: keyof typeof LEVELS) => (fields: object, msg: string) =>
    write(
      `${JSON.stringify({ level: LEVELS[level], time: Date.now(), part: 'supervisor', ...fields, msg })}\n`,
    );
  return { info: line('info'), error: line('error') };
}

/** Whether argv asks for the supervisor (and not for help about it). */
export function wantsSupervisor(argv: readonly string[]): boolean {
  const args = argv.slice(2);
  return (
    args[0] === 'start' &&
    args.includes('--supervised') &&
    !args.includes('--help') &&
    !args.includes('-h')
  );
}

/** Runs the supervisor over `printos start <the same options>`; returns the exit code. */
export async function runSupervisor(argv: readonly string[]): Promise<number> {
  const install = findInstall(runningPackageRoot());
  if (!install) {
    throw new PrintosError(
      'UPDATE_NOT_INSTALLED',
      '--supervised runs an installed printos (<prefix>/versions/<version> with current and stable links, as printos service install makes it); this copy is not one.',
    );
  }
  const startArgs = argv.slice(3).filter((arg) => arg !== '--supervised');
  return new Supervisor({ prefix: install.prefix, startArgs, log: jsonLineLog() }).run();
}
