/**
 * Runs planned steps in order, saying each one first; --dry-run only says them. A failed
 * step stops the run with an error naming it: the planners put every refusal before the
 * first step, so a failure here is the machine's (disk full, a tool missing), and running
 * the command again resumes (every step is idempotent).
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PrintosError } from '../../core/errors.js';
import { errorCode, writeFileAtomic } from '../../core/files.js';
import type { CommandRunner } from './runner.js';
import { describeStep, type Step } from './steps.js';

export interface ExecuteDeps {
  run: CommandRunner;
  /** Where each step is announced (stdout for the CLI). */
  write: (line: string) => void;
  dryRun: boolean;
  /** Files per `cp` call (tests make it small). */
  copyChunk?: number;
}

/** Files per `cp` call: keeps argv far below the kernel's limit for a long file list. */
const COPY_CHUNK = 500;

export async function executeSteps(steps: readonly Step[], deps: ExecuteDeps): Promise<void> {
  if (deps.dryRun) deps.write('Dry run: nothing is changed. The steps would be:');
  for (const [index, step] of steps.entries()) {
    deps.write(`${deps.dryRun ? '  ' : '→ '}${describeStep(step)}`);
    if (deps.dryRun || step.kind === 'note') continue;
    try {
      await executeStep(step, deps);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new PrintosError(
        'INTERNAL',
        `Step ${index + 1} of ${steps.length} failed (${describeStep(step)}): ${reason}. ` +
          'Nothing after it was done; fix the cause and run the same command again.',
        { step: step.kind },
        err,
      );
    }
  }
}

async function executeStep(step: Step, deps: ExecuteDeps): Promise<void> {
  switch (step.kind) {
    case 'run':
      return runCommand(step.argv, step.mayFail === true, deps);
    case 'mkdir':
      return makeDir(step.path, step.mode);
    case 'copy':
      return copyInto(step, deps.run, deps.copyChunk ?? COPY_CHUNK);
    case 'link':
      return replaceLink(step.path, step.target);
    case 'write':
      return writeFileAtomic(step.path, step.content, { mode: step.mode });
    case 'compile':
      return compile(step, deps.run);
    case 'remove':
      return removeTree(step.path);
    case 'note':
      return;
  }
}

async function runCommand(argv: readonly string[], mayFail: boolean, deps: ExecuteDeps) {
  const [cmd, ...args] = argv;
  if (cmd === undefined) throw new Error('empty command');
  const result = await deps.run(cmd, args);
  if (result.code === 0) return;
  const detail = result.stderr.trim() || result.stdout.trim() || 'no output';
  if (mayFail) {
    deps.write(`  (exit ${result.code}, ignored: ${detail})`);
    return;
  }
  throw new Error(`exit ${result.code}: ${detail}`);
}

/** Creates a missing directory with exactly `mode`; an existing one is left as it is. */
async function makeDir(path: string, mode: number): Promise<void> {
  const existing = await lstat(path).catch((err) => {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  });
  if (existing) {
    if (!existing.isDirectory()) throw new Error(`${path} exists and is not a directory`);
    return;
  }
  await mkdir(path, { recursive: true, mode });
  await chmod(path, mode); // mkdir's mode is filtered by the umask
}

async function copyInto(
  { from, entries, to }: Extract<Step, { kind: 'copy' }>,
  run: CommandRunner,
  chunkSize: number,
): Promise<void> {
  const staging = join(dirname(to), `.${basename(to)}.partial-${randomBytes(4).toString('hex')}`);
  await mkdir(staging, { mode: 0o755 });
  try {
    for (let i = 0; i < entries.length; i += chunkSize) {
      const chunk = entries.slice(i, i + chunkSize);
      // cp -a keeps modes, symlinks and times; --parents keeps each path's folders.
      const args = ['-a', '--parents', `--target-directory=${staging}`, '--', ...chunk];
      const result = await run('cp', args, { cwd: from });
      if (result.code !== 0)
        throw new Error(`cp failed (exit ${result.code}): ${result.stderr.trim()}`);
    }
    await rename(staging, to);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** Builds beside the output, then owner, mode and rename: see the step's description. */
async function compile(step: Extract<Step, { kind: 'compile' }>, run: CommandRunner) {
  const { output } = step;
  const temp = join(dirname(output), `.${basename(output)}.new-${randomBytes(4).toString('hex')}`);
  try {
    const args = [...step.flags, '-o', temp, step.source, ...step.libs];
    const result = await run(step.compiler, args);
    if (result.code !== 0) {
      throw new Error(`${step.compiler} failed (exit ${result.code}): ${result.stderr.trim()}`);
    }
    await chown(temp, 0, 0);
    await chmod(temp, step.mode);
    await rename(temp, output);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** A fresh symlink renamed over `path`: readers see the old target or the new one. */
async function replaceLink(path: string, target: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${randomBytes(4).toString('hex')}`);
  await symlink(target, temp);
  try {
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

async function removeTree(path: string): Promise<void> {
  // The planners only remove what they checked is ours; this guards against a planning bug.
  if (path.split('/').filter(Boolean).length < 2) throw new Error(`refusing to remove ${path}`);
  await rm(path, { recursive: true, force: true });
}
