/**
 * `printos start --supervised`: a small parent process (what systemd runs) that runs the
 * service as a child from <prefix>/current. It is what makes an update safe: the child
 * installs a new version, points `current` at it, records a trial and exits with
 * EXIT_RESTART; the supervisor starts the new version and waits for it to prove healthy
 * (it says "ready" over IPC and its local API answers with the new version). A new
 * version that exits or stays silent past the deadline is stopped, `current` goes back
 * to the previous version, and that one is started again — with no person involved.
 *
 * The supervisor keeps running the code it started with, so a broken release cannot
 * break its own rollback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  currentVersion,
  pruneVersions,
  readUpdateState,
  switchCurrent,
  switchStable,
  type UpdateState,
  versionDir,
  writeUpdateState,
} from './layout.js';

/** Set by the supervisor in its child's environment: updates may restart this service. */
export const SUPERVISED_ENV = 'PRINTOS_SUPERVISED';

/** The child asks to be started again from `current` (after switching it). */
export const EXIT_RESTART = 75;

/** What the child sends over IPC once its web server and service are up. */
export interface ReadyMessage {
  type: 'printos-ready';
  version: string;
  localUrl: string;
}

export function isReadyMessage(value: unknown): value is ReadyMessage {
  const v = value as Partial<ReadyMessage> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.type === 'printos-ready' &&
    typeof v.version === 'string' &&
    typeof v.localUrl === 'string'
  );
}

/** What the supervisor logs with: pino's shape, without pino (supervisor-main.ts). */
export interface SupervisorLog {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SupervisorDeps {
  prefix: string;
  /** Arguments of the child's `start` (without --supervised). */
  startArgs: string[];
  log: SupervisorLog;
  /** How long a new version has to become healthy (default 120 s: a Pi starts slowly). */
  healthTimeoutMs?: number;
  /** How long a stopping child may take before SIGKILL (a print's safe stop included). */
  stopTimeoutMs?: number;
  /** The version a local API answers with, or null (tests replace it). */
  probe?: (localUrl: string) => Promise<string | null>;
  spawnChild?: (script: string, args: string[]) => ChildProcess;
  /** Signals that stop the supervisor (and its child); tests pass their own emitter. */
  signals?: NodeJS.EventEmitter;
}

interface RunOutcome {
  code: number;
  /** The new version proved healthy (trial) — or there was no trial. */
  healthy: boolean;
  reason?: string;
}

export class Supervisor {
  private readonly deps: SupervisorDeps;
  private child: ChildProcess | null = null;
  private stopping = false;

  constructor(deps: SupervisorDeps) {
    this.deps = deps;
  }

  /** Runs children until one exits for another reason than a restart; returns its code. */
  async run(): Promise<number> {
    const signals = this.deps.signals ?? process;
    const onSignal = () => this.stop();
    signals.on('SIGTERM', onSignal);
    signals.on('SIGINT', onSignal);
    try {
      for (;;) {
        const state = await readUpdateState(this.deps.prefix);
        const version = await currentVersion(this.deps.prefix);
        const trial = state.trial?.to === version ? state.trial : null;
        if (state.trial && !trial) await this.clearStaleTrial(state);
        const outcome = await this.runChild(version, trial !== null);
        if (this.stopping) return outcome.code;
        if (trial && !outcome.healthy) {
          await this.rollBack(state, outcome.reason ?? `exit code ${outcome.code}`);
          continue;
        }
        if (outcome.code !== EXIT_RESTART) return outcome.code;
      }
    } finally {
      signals.off('SIGTERM', onSignal);
      signals.off('SIGINT', onSignal);
    }
  }

  stop(): void {
    this.stopping = true;
    this.terminateChild();
  }

  private runChild(version: string, isTrial: boolean): Promise<RunOutcome> {
    const script = join(versionDir(this.deps.prefix, version), 'bin', 'printos.js');
    const child = (this.deps.spawnChild ?? defaultSpawn)(script, this.deps.startArgs);
    this.child = child;
    this.deps.log.info({ version, pid: child.pid, trial: isTrial }, 'supervisor: service started');
    return new Promise<RunOutcome>((resolve) => {
      let healthy = !isTrial;
      let reason: string | undefined;
      const deadline = isTrial
        ? setTimeout(() => {
            reason = `it did not become healthy within ${this.timeout() / 1000} s`;
            this.terminateChild();
          }, this.timeout())
        : null;
      child.on('message', (message: unknown) => {
        if (!isTrial || healthy || !isReadyMessage(message)) return;
        void this.confirm(version, message).then((ok) => {
          if (ok) {
            healthy = true;
            if (deadline) clearTimeout(deadline);
          } else {
            reason = `its local API did not answer as printos ${version}`;
            this.terminateChild();
          }
        });
      });
      child.on('exit', (code, signal) => {
        if (deadline) clearTimeout(deadline);
        this.child = null;
        const exitCode = code ?? (signal ? 128 + signalNumber(signal) : 1);
        this.deps.log.info({ version, code, signal }, 'supervisor: service exited');
        resolve({ code: exitCode, healthy, ...(reason ? { reason } : {}) });
      });
    });
  }

  /** The trial version is healthy: keep it (and the previous one, for a manual rollback). */
  private async confirm(version: string, ready: ReadyMessage): Promise<boolean> {
    const answered = await (this.deps.probe ?? probeHealth)(ready.localUrl).catch(() => null);
    if (answered !== version) return false;
    const state = await readUpdateState(this.deps.prefix);
    const from = state.trial?.from ?? version;
    await writeUpdateState(this.deps.prefix, {
      trial: null,
      last: { from, to: version, outcome: 'installed', at: new Date().toISOString() },
    });
    await switchStable(this.deps.prefix, version);
    await pruneVersions(this.deps.prefix, [version, from]).catch(() => []);
    this.deps.log.info({ from, to: version }, 'supervisor: update installed');
    return true;
  }

  private async rollBack(state: UpdateState, reason: string): Promise<void> {
    const trial = state.trial;
    if (!trial) return;
    await switchCurrent(this.deps.prefix, trial.from);
    await writeUpdateState(this.deps.prefix, {
      trial: null,
      last: {
        from: trial.from,
        to: trial.to,
        outcome: 'rolled-back',
        at: new Date().toISOString(),
        reason: `printos ${trial.to} failed its health check: ${reason}`,
      },
    });
    this.deps.log.error({ from: trial.to, to: trial.from, reason }, 'supervisor: rolled back');
  }

  /** `current` was changed by hand since the trial began: the trial no longer applies. */
  private async clearStaleTrial(state: UpdateState): Promise<void> {
    await writeUpdateState(this.deps.prefix, { ...state, trial: null });
  }

  private terminateChild(): void {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), this.deps.stopTimeoutMs ?? 75_000);
    child.once('exit', () => clearTimeout(timer));
  }

  private timeout(): number {
    return this.deps.healthTimeoutMs ?? 120_000;
  }
}

function defaultSpawn(script: string, args: string[]): ChildProcess {
  // The same Node and V8 flags (--optimize-for-size from the unit) for the child.
  return spawn(process.execPath, [...process.execArgv, script, 'start', ...args], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [SUPERVISED_ENV]: '1' },
  });
}

/** GET <localUrl>/api/health → the version it reports, or null. */
async function probeHealth(localUrl: string): Promise<string | null> {
  const answer = await fetch(new URL('/api/health', localUrl), {
    signal: AbortSignal.timeout(5000),
  });
  if (!answer.ok) return null;
  const body = (await answer.json()) as { version?: unknown };
  return typeof body.version === 'string' ? body.version : null;
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGTERM: 15, SIGKILL: 9, SIGINT: 2 };
  return numbers[signal] ?? 1;
}
