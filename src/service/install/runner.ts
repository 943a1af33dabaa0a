/**
 * Runs the external commands of an install (useradd, chown, cp, systemctl, getent):
 * child_process.execFile, never a shell, so no path or name is ever parsed as syntax.
 * Tests inject a recording runner.
 */
import { execFile } from 'node:child_process';
import { PrintosError } from '../../core/errors.js';

export interface CommandResult {
  /** The exit code; a command killed by a signal counts as -1. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
}

export type CommandRunner = (
  cmd: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<CommandResult>;

/** Output kept per command: getent and systemctl answer in a few lines. */
const MAX_OUTPUT = 4 * 1024 * 1024;
/** A copy of node_modules is the longest step; no step should take this long. */
const TIMEOUT_MS = 10 * 60_000;

export const execFileRunner: CommandRunner = (cmd, args, options = {}) =>
  new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      { cwd: options.cwd, maxBuffer: MAX_OUTPUT, timeout: TIMEOUT_MS, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code === 'string') {
          // ENOENT and the like: the command itself could not be started.
          reject(new PrintosError('INTERNAL', `Cannot run ${cmd}: ${err.message}`, { cmd }, err));
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
