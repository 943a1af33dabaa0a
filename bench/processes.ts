/**
 * Child processes of the bench, each under bench/measure.py so its CPU time
 * and peak RSS are the whole process's (see that script).
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { MEASURE_SCRIPT, PYTHON } from './hosts.js';

const measurementSchema = z.object({
  exitCode: z.number().nullable(),
  signal: z.number().nullable(),
  timedOut: z.boolean(),
  startedAtMs: z.number(),
  wallS: z.number(),
  userS: z.number(),
  sysS: z.number(),
  maxRssKb: z.number(),
});
export type Measurement = z.infer<typeof measurementSchema>;

export interface Paths {
  /** measure.py's JSON result. */
  result: string;
  /** stdout and stderr of the command, for the post-mortem of a failed run. */
  log: string;
  pid: string;
}

type Wrapper = ChildProcessByStdio<null, Readable, Readable>;

/** Output kept in memory per stream; the log file gets it all. */
const KEEP_BYTES = 1 << 20;

function startWrapper(command: string[], timeoutS: number, paths: Paths): Wrapper {
  const args = [MEASURE_SCRIPT, '--out', paths.result, '--timeout', String(timeoutS)];
  return spawn(PYTHON, [...args, '--pid-file', paths.pid, '--', ...command], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Output as it arrived, with the wall-clock time (epoch ms) of each chunk. */
export interface Chunk {
  atMs: number;
  text: string;
}

class Collector {
  readonly #chunks: Chunk[] = [];
  #size = 0;

  constructor(stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      if (this.#size >= KEEP_BYTES) return;
      this.#chunks.push({ atMs: Date.now(), text: chunk.toString('utf8') });
      this.#size += chunk.length;
    });
  }

  chunks(): Chunk[] {
    return this.#chunks;
  }

  text(): string {
    return this.#chunks.map((c) => c.text).join('');
  }
}

export interface Finished {
  measurement: Measurement | null;
  stdout: string;
  /** stdout as it arrived: when a host said it was done, before it exited. */
  stdoutChunks: Chunk[];
  stderr: string;
}

async function finish(
  wrapper: Wrapper,
  out: Collector,
  err: Collector,
  paths: Paths,
): Promise<Finished> {
  if (wrapper.exitCode === null && wrapper.signalCode === null) await once(wrapper, 'exit');
  const stdout = out.text();
  const stderr = err.text();
  await writeFile(paths.log, `--- stdout\n${stdout}\n--- stderr\n${stderr}\n`);
  const measurement = await readMeasurement(paths.result);
  return { measurement, stdout, stdoutChunks: out.chunks(), stderr };
}

async function readMeasurement(path: string): Promise<Measurement | null> {
  try {
    return measurementSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch {
    return null; // the wrapper died before writing it; the caller reports the run as failed
  }
}

/** Ends the measured command by its pid (its process group), then the wrapper. */
async function killHard(wrapper: Wrapper, paths: Paths): Promise<void> {
  try {
    const pid = Number(await readFile(paths.pid, 'utf8'));
    if (pid > 0) process.kill(-pid, 'SIGKILL');
  } catch {
    // no pid file or already gone
  }
  wrapper.kill('SIGKILL');
}

/** Runs a command to its end (measure.py enforces `timeoutS`; this only guards the wrapper). */
export async function runMeasured(
  command: string[],
  timeoutS: number,
  paths: Paths,
): Promise<Finished> {
  const wrapper = startWrapper(command, timeoutS, paths);
  const out = new Collector(wrapper.stdout);
  const err = new Collector(wrapper.stderr);
  const guard = setTimeout(() => void killHard(wrapper, paths), (timeoutS + 30) * 1000);
  try {
    return await finish(wrapper, out, err, paths);
  } finally {
    clearTimeout(guard);
  }
}

/** A long-running command (the virtual printer) that prints one line first and runs until stopped. */
export interface Service {
  firstLine: string;
  /** SIGTERM (forwarded by measure.py), then SIGKILL after `graceS`. */
  stop(graceS: number): Promise<Finished>;
}

export async function startService(
  command: string[],
  paths: Paths,
  startupS: number,
): Promise<Service> {
  // The wrapper's own limit only matters if the bench itself dies and nobody stops it.
  const wrapper = startWrapper(command, 4 * 3600, paths);
  const err = new Collector(wrapper.stderr);
  const firstLine = await readFirstLine(wrapper, startupS).catch(async (error: unknown) => {
    await killHard(wrapper, paths);
    throw error;
  });
  const out = new Collector(wrapper.stdout);
  return {
    firstLine,
    async stop(graceS) {
      wrapper.kill('SIGTERM');
      const guard = setTimeout(() => void killHard(wrapper, paths), graceS * 1000);
      try {
        return await finish(wrapper, out, err, paths);
      } finally {
        clearTimeout(guard);
      }
    },
  };
}

function readFirstLine(wrapper: Wrapper, timeoutS: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => done(new Error(`no output within ${timeoutS} s`)),
      timeoutS * 1000,
    );
    const onData = (chunk: Buffer) => {
      seen += chunk.toString('utf8');
      const newline = seen.indexOf('\n');
      if (newline >= 0) done(null, seen.slice(0, newline));
    };
    const onExit = (code: number | null) => done(new Error(`exited with ${code} before printing`));
    const done = (error: Error | null, line = '') => {
      clearTimeout(timer);
      wrapper.stdout.off('data', onData);
      wrapper.off('exit', onExit);
      if (error) reject(error);
      else resolve(line);
    };
    wrapper.stdout.on('data', onData);
    wrapper.once('exit', onExit);
  });
}
