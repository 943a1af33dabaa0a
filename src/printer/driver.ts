import { PrintosError } from '../core/errors.js';
import { EventBus } from '../core/events.js';
import type { Logger } from '../core/log.js';
import type { LineSplitter } from '../gcode/line-splitter.js';
import { parseRawLine } from '../gcode/line-splitter.js';
import type { HeaterReading } from '../gcode/messages.js';
import type { Transport } from '../transport/transport.js';
import type { JobSource } from './job-source.js';
import type { JobProgress } from './sender/job-tracker.js';
import { Sender } from './sender/sender.js';
import type {
  FirmwareFacts,
  JobResult,
  SenderAction,
  SenderConfig,
  SenderEvent,
  SenderInput,
} from './sender/types.js';
import type { PrinterState } from './states.js';

export interface PrinterEvents {
  'printer:state': { state: PrinterState };
  'printer:temperatures': { readings: HeaterReading[] };
  'printer:message': { level: 'info' | 'warn' | 'error'; text: string };
  'printer:resend': { line: number; suppressed: boolean };
  'printer:fatal': { error: PrintosError };
  'job:progress': JobProgress;
  'job:finished': JobResult;
}

export interface DriverDeps {
  transport: Transport;
  splitter: LineSplitter;
  firmware: FirmwareFacts;
  lastLine: number;
  config: SenderConfig;
  log: Logger;
  now?: () => number;
  /** Tick period for timeouts, polls and progress events. */
  tickMs?: number;
}

export interface PrinterStatus {
  state: PrinterState;
  firmware: FirmwareFacts;
  temperatures: HeaterReading[];
  job: JobProgress | null;
  commandSlots: number;
}

/**
 * Runs the sender against a live transport: feeds it what the firmware says and
 * the clock's ticks, performs its actions (writes, file reads), and publishes
 * its events. The only I/O-facing part of the printer layer.
 */
export class PrinterDriver {
  readonly events: EventBus<PrinterEvents>;
  readonly #deps: DriverDeps;
  readonly #sender: Sender;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #source: JobSource | null = null;
  #jobDone: ((result: JobResult) => void) | null = null;
  #temperatures: HeaterReading[] = [];
  /** While a chunk of firmware output is handled, writes collect here and go out once. */
  #batching = false;
  #pendingWrites = '';
  /** Set by stop(): the port closing then is ours, not a lost link. */
  #stopping = false;

  constructor(deps: DriverDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => performance.now());
    this.events = new EventBus<PrinterEvents>((err, event) =>
      deps.log.error({ err, event }, 'event listener failed'),
    );
    this.#sender = new Sender(deps.config, deps.firmware, deps.lastLine, this.#now());
  }

  start(): void {
    const { transport, splitter } = this.#deps;
    transport.onData((chunk) => {
      // One write per chunk, not per ok: at high rates a chunk holds many oks.
      this.#batching = true;
      const now = this.#now();
      for (const raw of splitter.push(chunk)) {
        this.#input({ type: 'message', message: parseRawLine(raw), now });
      }
      this.#batching = false;
      this.#flushWrites();
    });
    transport.onClose((error) => {
      if (this.#stopping) return;
      const message = error
        ? `The printer's port was lost: ${error.message}`
        : 'The port was closed.';
      this.#input({
        type: 'link-lost',
        error: new PrintosError('PORT_LOST', message),
        now: this.#now(),
      });
    });
    this.#timer = setInterval(() => this.#tick(), this.#deps.tickMs ?? 100);
    if (this.#deps.firmware.capabilities.AUTOREPORT_TEMP) this.send('M155 S2');
    else this.send('M105');
  }

  status(): PrinterStatus {
    return {
      state: this.#sender.state,
      firmware: this.#deps.firmware,
      temperatures: this.#temperatures,
      job: this.#sender.progress(),
      commandSlots: this.#sender.commandSlots,
    };
  }

  /** Prints a job; resolves when it completed, was cancelled or failed (never rejects for those). */
  print(source: JobSource): Promise<JobResult> {
    if (this.#source)
      throw new PrintosError('PRINTER_BUSY', 'A job is already running on this printer.');
    if (this.#sender.state !== 'ready') {
      throw new PrintosError(
        'PRINTER_BUSY',
        `The printer is ${this.#sender.state}; it cannot start a job.`,
      );
    }
    this.#source = source;
    const done = new Promise<JobResult>((resolve) => {
      this.#jobDone = resolve;
    });
    this.#input({
      type: 'job-start',
      name: source.name,
      totalBytes: source.totalBytes,
      now: this.#now(),
    });
    return done;
  }

  send(command: string): void {
    this.#input({ type: 'command', command, now: this.#now() });
  }

  pause(): void {
    this.#input({ type: 'pause', now: this.#now() });
  }

  resume(): void {
    this.#input({ type: 'resume', now: this.#now() });
  }

  cancel(): void {
    this.#input({ type: 'cancel', now: this.#now() });
  }

  emergencyStop(): void {
    this.#input({ type: 'emergency-stop', now: this.#now() });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#deps.transport.close();
    await this.#closeSource();
  }

  #tick(): void {
    this.#input({ type: 'tick', now: this.#now() });
    const progress = this.#sender.progress();
    if (progress) this.events.emit('job:progress', progress);
  }

  #flushWrites(): void {
    if (this.#pendingWrites === '') return;
    this.#deps.transport.write(this.#pendingWrites);
    this.#pendingWrites = '';
  }

  #input(input: SenderInput): void {
    for (const action of this.#sender.handle(input)) this.#perform(action);
  }

  #perform(action: SenderAction): void {
    switch (action.type) {
      case 'write':
        this.#pendingWrites += action.data;
        if (!this.#batching) this.#flushWrites();
        return;
      case 'request-lines':
        return void this.#readLines(action.max);
      case 'event':
        return this.#publish(action.event);
    }
  }

  async #readLines(max: number): Promise<void> {
    const source = this.#source;
    if (!source) return;
    try {
      const { lines, done } = await source.read(max);
      if (this.#source === source)
        this.#input({ type: 'job-lines', lines, done, now: this.#now() });
    } catch (err) {
      const error =
        err instanceof PrintosError ? err : new PrintosError('FILE_INVALID', String(err));
      if (this.#source === source)
        this.#input({ type: 'job-source-failed', error, now: this.#now() });
    }
  }

  #publish(event: SenderEvent): void {
    switch (event.type) {
      case 'state':
        return this.events.emit('printer:state', { state: event.state });
      case 'temperatures':
        this.#temperatures = event.readings;
        return this.events.emit('printer:temperatures', { readings: event.readings });
      case 'firmware-message':
        return this.events.emit('printer:message', { level: event.level, text: event.text });
      case 'resend':
        return this.events.emit('printer:resend', {
          line: event.line,
          suppressed: event.suppressed,
        });
      case 'host-action':
        return this.events.emit('printer:message', {
          level: 'info',
          text: `host action: ${event.action} ${event.argument}`.trim(),
        });
      case 'fatal':
        this.#deps.log.error({ code: event.error.code }, event.error.message);
        return this.events.emit('printer:fatal', { error: event.error });
      case 'job-finished':
        return this.#finishJob(event.result);
    }
  }

  #finishJob(result: JobResult): void {
    void this.#closeSource();
    this.events.emit('job:finished', result);
    const done = this.#jobDone;
    this.#jobDone = null;
    done?.(result);
  }

  async #closeSource(): Promise<void> {
    const source = this.#source;
    this.#source = null;
    await source?.close().catch(() => {});
  }
}
