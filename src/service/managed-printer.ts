/**
 * One configured printer kept connected: it (re)connects with back-off, runs jobs,
 * and is what the cloud link and the local API act on (it implements LinkedPrinter).
 * The driver is created by a `connect` function from the composition root.
 */
import { rm } from 'node:fs/promises';
import { PrintosError, toPrintosError } from '../core/errors.js';
import { EventBus } from '../core/events.js';
import type { Logger } from '../core/log.js';
import type { HeaterReading } from '../gcode/messages.js';
import type {
  JobFinished,
  LinkedPrinter,
  PrinterSnapshot,
  StartJobRequest,
} from '../link/types.js';
import type { PrinterDriver } from '../printer/driver.js';
import type { JobSource } from '../printer/job-source.js';
import { JOB_ACTIVE_STATES, type PrinterState } from '../printer/states.js';
import type { PrinterId } from '../streamer-api/index.js';

export interface ManagedPrinterDeps {
  key: string;
  identity: PrinterId;
  name: string;
  connect: () => Promise<PrinterDriver>;
  openJob: (path: string) => Promise<JobSource>;
  log: Logger;
  /** Persists a name the cloud or a user set. */
  saveName?: (name: string) => void;
  retry?: { initialMs: number; maxMs: number };
  /** How long stop() waits for a cancelled job to leave the printer safe. */
  stopTimeoutMs?: number;
}

interface RunningJob {
  seq: number;
  filename: string;
  cloudJobId?: string | number;
  startedAt: number;
}

/** How the last job ended, for the local API (the CLI waits on it). */
export interface LastJob {
  seq: number;
  filename: string;
  outcome: JobFinished['outcome'];
  message?: string;
  finishedAt: string;
}

const MAX_GCODE_LINE = 96;
const DEFAULT_RETRY = { initialMs: 1000, maxMs: 30_000 };

export class ManagedPrinter implements LinkedPrinter {
  readonly key: string;
  readonly identity: PrinterId;
  readonly #deps: ManagedPrinterDeps;
  readonly #finished = new EventBus<{ 'job:finished': JobFinished }>();
  #name: string;
  #driver: PrinterDriver | null = null;
  #state: PrinterState = 'disconnected';
  #lastError: string | undefined;
  #job: RunningJob | null = null;
  #jobDone: Promise<unknown> | null = null;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryMs: number;
  #running = false;
  #unsubscribe: Array<() => void> = [];
  #jobSeq = 0;
  #lastJob: LastJob | null = null;

  constructor(deps: ManagedPrinterDeps) {
    this.#deps = deps;
    this.key = deps.key;
    this.identity = deps.identity;
    this.#name = deps.name;
    this.#retryMs = (deps.retry ?? DEFAULT_RETRY).initialMs;
  }

  get name(): string {
    return this.#name;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The number of the job started last (1, 2, …), 0 before the first. */
  get jobSeq(): number {
    return this.#jobSeq;
  }

  get lastJob(): LastJob | null {
    return this.#lastJob;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    void this.#connect();
  }

  /** Disconnects; an active job is cancelled first (heaters off, motion stopped). */
  async stop(): Promise<{ interruptedJob?: string }> {
    this.#running = false;
    clearTimeout(this.#retryTimer);
    const driver = this.#driver;
    const interruptedJob = this.#job?.filename;
    if (driver && this.#job) {
      driver.cancel();
      const stopMs = this.#deps.stopTimeoutMs ?? 60_000;
      if (!(await withTimeout(this.#jobDone, stopMs))) {
        // Closing the port now could leave the heaters on: halt the firmware instead
        // (M112 turns every heater off; the board needs a reset afterwards).
        this.#deps.log.error(
          { printer: this.key, ms: stopMs },
          'the safe stop did not finish in time: emergency stop (M112) so that the heaters go off',
        );
        driver.emergencyStop();
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    this.#detach();
    if (driver) await driver.stop().catch(() => {});
    this.#setState('disconnected');
    return interruptedJob ? { interruptedJob } : {};
  }

  snapshot(): PrinterSnapshot {
    const status = this.#driver?.status();
    return {
      state: this.#state,
      temperatures: status?.temperatures ?? [],
      job: this.#jobSnapshot(status?.job ?? null),
    };
  }

  #jobSnapshot(progress: { percent: number; lastAckedFileLine: number } | null) {
    const job = this.#job;
    if (!job) return null;
    return {
      filename: job.filename,
      ...(job.cloudJobId === undefined ? {} : { cloudJobId: job.cloudJobId }),
      percent: progress?.percent ?? 0,
      line: Math.max(0, progress?.lastAckedFileLine ?? 0),
    };
  }

  async startJob(request: StartJobRequest): Promise<void> {
    const driver = this.#driver;
    if (!driver || this.#state !== 'ready' || this.#job) {
      throw new PrintosError(
        'PRINTER_BUSY',
        `${this.#name} is ${this.#job ? 'printing' : this.#state}; it cannot start ${request.filename}.`,
      );
    }
    const source = await this.#deps.openJob(request.path);
    const job: RunningJob = {
      seq: ++this.#jobSeq,
      filename: request.filename,
      startedAt: Date.now(),
    };
    if (request.cloudJobId !== undefined) job.cloudJobId = request.cloudJobId;
    this.#job = job;
    let result: ReturnType<PrinterDriver['print']>;
    try {
      result = driver.print(source);
    } catch (err) {
      this.#job = null;
      await source.close();
      throw err;
    }
    this.#jobDone = result.then(
      (r) => this.#finish(job, request, r.outcome, r.error?.message),
      (err) => this.#finish(job, request, 'failed', toPrintosError(err).message),
    );
  }

  pause(): void {
    this.#requireJob('pause').pause();
  }

  resume(): void {
    this.#requireJob('resume').resume();
  }

  cancel(): void {
    this.#requireJob('cancel').cancel();
  }

  emergencyStop(): void {
    this.#requireDriver().emergencyStop();
  }

  sendGcode(lines: string[]): void {
    const driver = this.#requireDriver();
    for (const raw of lines) {
      const line = raw.trim();
      if (line === '') continue;
      if (line.length > MAX_GCODE_LINE || /[\0\r\n]/.test(line)) {
        throw new PrintosError('INVALID_ARGUMENT', `Not a G-code line: ${line.slice(0, 40)}…`);
      }
      driver.send(line);
    }
  }

  setName(name: string): void {
    const clean = name.trim().slice(0, 100);
    if (clean === '') throw new PrintosError('INVALID_ARGUMENT', 'A printer name cannot be empty.');
    this.#name = clean;
    this.#deps.saveName?.(clean);
  }

  onJobFinished(listener: (event: JobFinished) => void): () => void {
    return this.#finished.on('job:finished', listener);
  }

  /** The driver's temperatures, for the local API. */
  temperatures(): HeaterReading[] {
    return this.#driver?.status().temperatures ?? [];
  }

  async #connect(): Promise<void> {
    if (!this.#running) return;
    this.#setState('connecting');
    try {
      const driver = await this.#deps.connect();
      if (!this.#running) {
        await driver.stop();
        return;
      }
      this.#attach(driver);
      this.#retryMs = (this.#deps.retry ?? DEFAULT_RETRY).initialMs;
      this.#lastError = undefined;
    } catch (err) {
      this.#lastError = toPrintosError(err).message;
      this.#deps.log.warn({ printer: this.key, err: this.#lastError }, 'printer not connected');
      this.#setState('disconnected');
      this.#scheduleReconnect();
    }
  }

  #attach(driver: PrinterDriver): void {
    this.#driver = driver;
    this.#setState(driver.status().state);
    this.#unsubscribe = [
      driver.events.on('printer:state', ({ state }) => this.#setState(state)),
      driver.events.on('printer:fatal', ({ error }) => this.#lost(driver, error)),
    ];
  }

  #detach(): void {
    for (const off of this.#unsubscribe) off();
    this.#unsubscribe = [];
    this.#driver = null;
  }

  #lost(driver: PrinterDriver, error: PrintosError): void {
    if (this.#driver !== driver) return;
    this.#lastError = error.message;
    this.#deps.log.warn({ printer: this.key, code: error.code }, error.message);
    if (error.code !== 'PORT_LOST' && error.code !== 'FIRMWARE_RESET') return;
    // The job (if any) has failed through print()'s result; reconnect the port.
    this.#detach();
    void driver.stop().catch(() => {});
    this.#setState('disconnected');
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (!this.#running) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(this.#retryMs * 2, (this.#deps.retry ?? DEFAULT_RETRY).maxMs);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #setState(state: PrinterState): void {
    this.#state = state;
  }

  #requireDriver(): PrinterDriver {
    if (!this.#driver) {
      throw new PrintosError('PRINTER_NOT_RESPONDING', `${this.#name} is not connected.`);
    }
    return this.#driver;
  }

  #requireJob(action: string): PrinterDriver {
    const driver = this.#requireDriver();
    if (!this.#job || !JOB_ACTIVE_STATES.has(this.#state)) {
      throw new PrintosError('CONFLICT', `${this.#name} has no job to ${action}.`);
    }
    return driver;
  }

  async #finish(
    job: RunningJob,
    request: StartJobRequest,
    outcome: JobFinished['outcome'],
    message: string | undefined,
  ): Promise<void> {
    if (this.#job === job) this.#job = null;
    this.#lastJob = {
      seq: job.seq,
      filename: job.filename,
      outcome,
      ...(message === undefined ? {} : { message }),
      finishedAt: new Date().toISOString(),
    };
    if (request.deleteAfter) await rm(request.path, { force: true }).catch(() => {});
    const event: JobFinished = { outcome, filename: job.filename };
    if (job.cloudJobId !== undefined) event.cloudJobId = job.cloudJobId;
    if (message !== undefined) event.message = message;
    this.#deps.log.info({ printer: this.key, outcome, job: job.filename }, 'job finished');
    this.#finished.emit('job:finished', event);
  }
}

/** True when `promise` settled within `ms` (or there was nothing to wait for). */
async function withTimeout(promise: Promise<unknown> | null, ms: number): Promise<boolean> {
  if (!promise) return true;
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}
