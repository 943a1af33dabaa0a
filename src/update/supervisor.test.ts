import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import {
  currentVersion,
  readUpdateState,
  switchCurrent,
  switchStable,
  writeUpdateState,
} from './layout.js';
import { EXIT_RESTART, Supervisor } from './supervisor.js';

/** A child process stand-in: the test scripts what it says and when it exits. */
class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  readonly pid = 4242;
  readonly signals: string[] = [];
  constructor(readonly script: string) {
    super();
  }
  kill(signal: string): boolean {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || this.exitsOnTerm) this.exit(null, signal);
    return true;
  }
  exitsOnTerm = true;
  exit(code: number | null, signal: string | null = null): void {
    if (this.exitCode !== null) return;
    this.exitCode = code ?? 128;
    this.emit('exit', code, signal);
  }
  ready(version: string): void {
    this.emit('message', { type: 'printos-ready', version, localUrl: 'http://127.0.0.1:1' });
  }
}

let prefix: string;

async function makeVersion(version: string): Promise<void> {
  const dir = join(prefix, 'versions', version);
  await mkdir(join(dir, 'bin'), { recursive: true });
  await writeFile(join(dir, 'package.json'), JSON.stringify({ version }));
}

beforeEach(async () => {
  prefix = await mkdtemp(join(tmpdir(), 'printos-supervisor-'));
  await makeVersion('1.0.0');
  await makeVersion('1.1.0');
  await switchCurrent(prefix, '1.0.0');
  await switchStable(prefix, '1.0.0');
});

afterEach(async () => {
  await rm(prefix, { recursive: true, force: true });
});

/** Runs a supervisor whose children are driven by `script(child, index)`. */
function supervise(
  script: (child: FakeChild, index: number) => void,
  options: { healthTimeoutMs?: number; probe?: (url: string) => Promise<string | null> } = {},
) {
  const children: FakeChild[] = [];
  const signals = new EventEmitter();
  const supervisor = new Supervisor({
    prefix,
    startArgs: ['--data-dir', '/x'],
    log: silentLogger(),
    healthTimeoutMs: options.healthTimeoutMs ?? 2000,
    stopTimeoutMs: 50,
    probe: options.probe ?? (async () => null),
    signals,
    spawnChild: (scriptPath) => {
      const child = new FakeChild(scriptPath);
      children.push(child);
      setImmediate(() => script(child, children.length - 1));
      return child as unknown as ChildProcess;
    },
  });
  return { run: supervisor.run(), children, signals };
}

async function startTrial(): Promise<void> {
  await writeUpdateState(prefix, {
    trial: { from: '1.0.0', to: '1.1.0', startedAt: new Date().toISOString() },
    last: null,
  });
  await switchCurrent(prefix, '1.1.0');
}

describe('Supervisor', () => {
  it('runs current and returns the exit code of a child that stops for good', async () => {
    const { run, children } = supervise((child) => child.exit(0));
    expect(await run).toBe(0);
    expect(children).toHaveLength(1);
    expect(children[0]?.script).toBe(join(prefix, 'versions', '1.0.0', 'bin', 'printos.js'));
  });

  it('restarts after EXIT_RESTART, from where current points then', async () => {
    const { run, children } = supervise((child, index) => {
      if (index === 0) {
        void switchCurrent(prefix, '1.1.0').then(() => child.exit(EXIT_RESTART));
      } else child.exit(3);
    });
    expect(await run).toBe(3);
    expect(children.map((c) => c.script)).toEqual([
      join(prefix, 'versions', '1.0.0', 'bin', 'printos.js'),
      join(prefix, 'versions', '1.1.0', 'bin', 'printos.js'),
    ]);
  });

  it('keeps a trial version that says ready and answers its version', async () => {
    await startTrial();
    const { run } = supervise(
      (child, index) => {
        if (index === 0) {
          child.ready('1.1.0');
          setTimeout(() => child.exit(0), 50);
        }
      },
      { probe: async () => '1.1.0' },
    );
    expect(await run).toBe(0);
    expect(await currentVersion(prefix)).toBe('1.1.0');
    expect(await readlink(join(prefix, 'stable'))).toBe(join('versions', '1.1.0'));
    const state = await readUpdateState(prefix);
    expect(state.trial).toBeNull();
    expect(state.last).toMatchObject({ from: '1.0.0', to: '1.1.0', outcome: 'installed' });
  });

  it('rolls back a trial version that exits before it is healthy', async () => {
    await startTrial();
    const { run, children } = supervise((child, index) => {
      child.exit(index === 0 ? 70 : 0);
    });
    expect(await run).toBe(0);
    expect(children.map((c) => c.script.split('/').at(-3))).toEqual(['1.1.0', '1.0.0']);
    expect(await currentVersion(prefix)).toBe('1.0.0');
    expect(await readlink(join(prefix, 'stable'))).toBe(join('versions', '1.0.0'));
    const state = await readUpdateState(prefix);
    expect(state.trial).toBeNull();
    expect(state.last).toMatchObject({ to: '1.1.0', outcome: 'rolled-back' });
    expect(state.last?.reason).toContain('exit code 70');
  });

  it('rolls back a trial version that stays silent past the deadline', async () => {
    await startTrial();
    const { run, children } = supervise(
      (child, index) => {
        if (index === 1) child.exit(0);
      },
      { healthTimeoutMs: 100 },
    );
    expect(await run).toBe(0);
    expect(children[0]?.signals).toContain('SIGTERM');
    expect(await currentVersion(prefix)).toBe('1.0.0');
    expect((await readUpdateState(prefix)).last?.reason).toContain('did not become healthy');
  });

  it('rolls back a trial version whose API answers another version', async () => {
    await startTrial();
    const { run } = supervise(
      (child, index) => {
        if (index === 0) child.ready('1.1.0');
        else child.exit(0);
      },
      { probe: async () => '9.9.9' },
    );
    expect(await run).toBe(0);
    expect(await currentVersion(prefix)).toBe('1.0.0');
    expect((await readUpdateState(prefix)).last?.reason).toContain('did not answer');
  });

  it('forwards SIGTERM to the child and returns its code without a rollback', async () => {
    await startTrial();
    const { run, children, signals } = supervise(() => {
      setTimeout(() => signals.emit('SIGTERM'), 10);
    });
    expect(await run).toBe(143);
    expect(children).toHaveLength(1);
    expect(children[0]?.signals).toEqual(['SIGTERM']);
    // The trial is still pending: the next start decides.
    expect((await readUpdateState(prefix)).trial).not.toBeNull();
    expect(await currentVersion(prefix)).toBe('1.1.0');
  });

  it('kills a child that ignores SIGTERM after the stop timeout', async () => {
    const { run, children, signals } = supervise((child) => {
      child.exitsOnTerm = false;
      setTimeout(() => signals.emit('SIGTERM'), 10);
    });
    await run;
    expect(children[0]?.signals).toEqual(['SIGTERM', 'SIGKILL']);
  });
});
