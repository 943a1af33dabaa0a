import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'printos.js');

export interface ExecutedCommand {
  line: number | null;
  command: string;
}

export interface VirtualPrinterRun {
  path: string;
  /** Stops the printer; resolves with what it executed and its counters. */
  stop(): Promise<{ executed: ExecutedCommand[]; stats: Record<string, number> }>;
  /** Resolves when the process ends on its own (a disconnect fault). */
  exited: Promise<number | null>;
}

/** Runs `printos virtual-printer` as its own process, on a real pty, the way users and the benchmark do. */
export async function startVirtualPrinter(args: string[]): Promise<VirtualPrinterRun> {
  const dir = mkdtempSync(join(tmpdir(), 'printos-vp-'));
  const record = join(dir, 'record.tsv');
  const child = spawn(
    process.execPath,
    [BIN, 'virtual-printer', '--record', record, '--stats', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  const path = await firstLine(child);
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    const executed = parseRecord(readFileSync(record, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    return { executed, stats: lastJson(stderr) };
  };
  return { path, stop, exited };
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolvePath, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => resolvePath(line.trim()));
    child.once('exit', (code) =>
      reject(new Error(`virtual printer exited (${code}) before printing its path`)),
    );
  });
}

function parseRecord(text: string): ExecutedCommand[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((row) => {
      const [line, ...rest] = row.split('\t');
      return { line: line === '-' ? null : Number(line), command: rest.join('\t') };
    });
}

function lastJson(stderr: string): Record<string, number> {
  const line = stderr
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{'));
  return line ? (JSON.parse(line) as Record<string, number>) : {};
}

/** The job's commands as the printer executed them: numbered lines, minus what the host adds. */
export function jobCommands(executed: readonly ExecutedCommand[]): string[] {
  const HOST = /^(M110|M115|M155|M105)\b/;
  return executed.filter((e) => e.line !== null && !HOST.test(e.command)).map((e) => e.command);
}
