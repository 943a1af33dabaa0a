import { PrintosError } from '../../core/errors.js';
import { commandCode } from '../../gcode/commands.js';
import type { FirmwareMessage } from '../../gcode/messages.js';
import type { PrinterState } from '../states.js';
import {
  emergencyStopped,
  firmwareHalted,
  firmwareReset,
  lineTooLong,
  notResponding,
} from './failures.js';
import type { SentLine } from './flight.js';
import { type JobProgress, JobTracker } from './job-tracker.js';
import { ResendPolicy } from './resend-policy.js';
import { Transmitter } from './transmitter.js';
import type {
  FirmwareFacts,
  JobLine,
  SenderAction,
  SenderConfig,
  SenderEvent,
  SenderInput,
} from './types.js';

/**
 * The flow-control state machine between a job and the firmware. It consumes
 * inputs (firmware messages, ticks, job lines, user requests) and returns
 * actions (bytes to write, read-ahead requests, events); it does no I/O and
 * reads no clock, so every transition is a table test.
 *
 * Every command except the emergency ones is numbered and checksummed, so a
 * resend can serve any of them and the firmware's line check guarantees that
 * nothing is executed twice or out of order.
 */
export class Sender {
  readonly #config: SenderConfig;
  readonly #tx: Transmitter;
  readonly #hostQueue: { command: string; marker: boolean }[] = [];
  readonly #facts: FirmwareFacts;
  #advancedOk = false;
  readonly #resends: ResendPolicy;
  #state: PrinterState = 'ready';
  #job: JobTracker | null = null;
  #lastProgressAt: number;
  #lastPollAt: number;
  #probes = 0;
  #busySeen = false;
  /** Cancel commands queued; the last one, once sent, is the marker whose ok ends the job. */
  #cancelQueued = false;
  #cancelMarker: SentLine | null = null;
  #cancelFailure: PrintosError | null = null;
  /** The heater wait the last M108 was sent to break, and when (see #breakHeaterWait). */
  #brokenWait: { line: SentLine; at: number } | null = null;
  #out: SenderAction[] = [];

  constructor(config: SenderConfig, facts: FirmwareFacts, lastLine: number, now: number) {
    this.#config = config;
    this.#facts = { name: facts.name, capabilities: { ...facts.capabilities } };
    this.#tx = new Transmitter(config, lastLine);
    this.#resends = new ResendPolicy(config.maxConsecutiveResends);
    this.#lastProgressAt = now;
    this.#lastPollAt = now;
  }

  get state(): PrinterState {
    return this.#state;
  }

  get commandSlots(): number {
    return this.#tx.slots;
  }

  get inFlight(): number {
    return this.#tx.window.size;
  }

  progress(): JobProgress | null {
    return this.#job?.progress() ?? null;
  }

  handle(input: SenderInput): SenderAction[] {
    this.#out = [];
    this.#dispatch(input);
    if (this.#isLive()) this.#pump(input.now);
    this.#flushWrite();
    return this.#out;
  }

  #dispatch(input: SenderInput): void {
    switch (input.type) {
      case 'message':
        return this.#onMessage(input.message, input.now);
      case 'tick':
        return this.#onTick(input.now);
      case 'job-start':
        return this.#onJobStart(input.name, input.totalBytes);
      case 'job-lines':
        return this.#job?.addLines(input.lines, input.done);
      case 'job-source-failed':
        return this.#abortJob(input.error, true);
      case 'command':
        return this.#enqueueHost(input.command);
      case 'pause':
        return this.#pause();
      case 'resume':
        return this.#resume();
      case 'cancel':
        return this.#cancel();
      case 'emergency-stop':
        return this.#emergencyStop();
      case 'link-lost':
        return this.#fatal(input.error, 'disconnected');
    }
  }

  // ---- firmware messages -------------------------------------------------

  #onMessage(message: FirmwareMessage, now: number): void {
    switch (message.kind) {
      case 'ok':
        return this.#onOk(message, now);
      case 'resend':
        return this.#onResend(message.line, now);
      case 'busy':
        this.#busySeen = true;
        this.#lastProgressAt = now;
        return;
      case 'wait':
        if (this.#tx.window.size > 0 && !this.#tx.resending) this.#probe(now);
        return;
      case 'start':
        return this.#onFirmwareReset();
      case 'error':
        return this.#onFirmwareError(message.errorClass, message.message);
      case 'temperature':
        return this.#emit({ type: 'temperatures', readings: message.temperatures });
      case 'capability':
        this.#facts.capabilities[message.name] = message.enabled;
        return;
      case 'firmware-info':
        this.#facts.name = message.name;
        return;
      case 'action':
        return this.#onHostAction(message.action, message.argument);
      case 'echo':
        return this.#emit({ type: 'firmware-message', level: 'info', text: message.message });
      case 'garbled':
        return this.#emit({
          type: 'firmware-message',
          level: 'warn',
          text: `unreadable line from the printer (${message.reason}): ${message.text}`,
        });
      case 'position':
      case 'unknown':
        return;
    }
  }

  #onOk(message: Extract<FirmwareMessage, { kind: 'ok' }>, now: number): void {
    this.#lastProgressAt = now;
    this.#probes = 0;
    if (message.temperatures) this.#emit({ type: 'temperatures', readings: message.temperatures });
    if (message.bufferFree !== undefined) this.#learnSlots(message.bufferFree);
    for (const line of this.#ackedBy(message)) this.#acknowledge(line);
    this.#checkJobDone();
  }

  /** Which lines in flight an `ok` acknowledges. */
  #ackedBy(message: Extract<FirmwareMessage, { kind: 'ok' }>): SentLine[] {
    const window = this.#tx.window;
    // An `ok T:` answers an M105; the firmware works in order, so it also
    // proves every earlier line was processed (recovers lost oks).
    if (message.temperatures && window.entries().some((l) => l.temperatureQuery)) {
      return window.popThrough((l) => l.temperatureQuery);
    }
    // With ADVANCED_OK, a bare `ok` is the one that follows an error/resend.
    if (this.#resends.isErrorOk(this.#advancedOk, message.bufferFree)) return [];
    if (message.line !== undefined) {
      return window.popThrough((l) => l.line === message.line);
    }
    const oldest = window.popOldest();
    return oldest ? [oldest] : [];
  }

  #learnSlots(bufferFree: number): void {
    this.#advancedOk = true;
    this.#tx.learnSlots(bufferFree);
  }

  #acknowledge(line: SentLine): void {
    this.#resends.acknowledged(line.line);
    this.#tx.acknowledged(line);
    if (line.source === 'job') this.#job?.acknowledge(line.fileLine, line.endOffset);
    if (line === this.#cancelMarker) this.#finishCancel();
  }

  #onResend(line: number, now: number): void {
    this.#lastProgressAt = now;
    const decision = this.#resends.request(line, {
      lastLine: this.#tx.lastLine,
      lastAcked: this.#tx.lastAcked,
      inHistory: (n) => this.#tx.inHistory(n),
      dropFrom: (n) => this.#tx.window.dropFrom(n),
    });
    if (decision.kind === 'fail') return this.#fatal(decision.error, 'error');
    if (decision.kind === 'rewind') this.#tx.rewind(line);
    this.#emit({ type: 'resend', line, suppressed: decision.kind === 'ignore' });
  }

  #onFirmwareReset(): void {
    this.#fatal(firmwareReset(this.#job?.lastAckedFileLine ?? null), 'error');
  }

  #onFirmwareError(errorClass: string, text: string): void {
    if (errorClass === 'kill' || errorClass === 'thermal') {
      return this.#fatal(firmwareHalted(text), 'halted');
    }
    const level = errorClass === 'checksum' || errorClass === 'line-number' ? 'info' : 'warn';
    this.#emit({ type: 'firmware-message', level, text });
  }

  #onHostAction(action: string, argument: string): void {
    this.#emit({ type: 'host-action', action, argument });
    if (action === 'pause' || action === 'paused') this.#pause();
    else if (action === 'resume' || action === 'resumed') this.#resume();
    else if (action === 'cancel') this.#cancel();
  }

  // ---- timers --------------------------------------------------------------

  #onTick(now: number): void {
    if (!this.#isLive()) return;
    if (this.#tx.window.size > 0 && now - this.#lastProgressAt > this.#okTimeout()) {
      if (this.#probes >= this.#config.timeouts.maxProbes) {
        return this.#fatal(notResponding(this.#probes), 'error');
      }
      this.#probe(now);
    }
    const autoreport = this.#facts.capabilities.AUTOREPORT_TEMP === true;
    if (!autoreport && now - this.#lastPollAt >= this.#config.temperaturePollMs) {
      this.#lastPollAt = now;
      const queued = this.#hostQueue.some((c) => c.command === 'M105');
      const inFlight = this.#tx.window.entries().some((l) => l.temperatureQuery);
      if (!queued && !inFlight) this.#hostQueue.push({ command: 'M105', marker: false });
    }
  }

  #okTimeout(): number {
    const t = this.#config.timeouts;
    if (!this.#tx.window.hasLongCommand()) return t.okMs;
    return this.#busySeen ? t.busyMs : t.longCommandMs;
  }

  /** Sends an M105 past the window: after silence the firmware's buffer is emptier than we think. */
  #probe(now: number): void {
    if (this.#tx.resending) return;
    this.#probes++;
    this.#lastProgressAt = now;
    this.#tx.force('M105');
  }

  // ---- jobs ----------------------------------------------------------------

  #onJobStart(name: string, totalBytes: number): void {
    if (this.#job || this.#state !== 'ready') {
      throw new PrintosError(
        'PRINTER_BUSY',
        `The printer is ${this.#state}; it cannot start "${name}".`,
      );
    }
    this.#job = new JobTracker(name, totalBytes);
    this.#setState('printing');
  }

  #pause(): void {
    if (this.#state !== 'printing') return;
    this.#setState('pausing');
    for (const command of this.#config.pauseCommands) this.#enqueueHost(command);
    this.#checkPaused();
  }

  #resume(): void {
    if (this.#state !== 'paused' && this.#state !== 'pausing') return;
    for (const command of this.#config.resumeCommands) this.#enqueueHost(command);
    this.#setState('printing');
  }

  #cancel(): void {
    if (!this.#job || this.#state === 'cancelling') return;
    this.#beginSafeStop(null);
  }

  /** Stops feeding the job, lets the lines in flight drain, then sends the cancel commands. */
  #beginSafeStop(failure: PrintosError | null): void {
    this.#cancelFailure = failure;
    this.#job?.dropPending();
    this.#setState('cancelling');
  }

  /**
   * While cancelling, a heater wait (M109/M190/M191) the firmware is executing blocks
   * it, and so the cancel, until the target is reached: M108 breaks the wait. Marlin
   * ignores an M108 that arrives before a wait begins, so one sent at the cancel cannot
   * break the next wait in flight: each wait gets its own once it heads the window (the
   * line executing now). Firmware with an emergency parser gets it again while the wait
   * goes on (it may have arrived just before the wait began, or been lost); without one,
   * M108 only queues behind the wait, and repeats would just fill the receive buffer.
   */
  #breakHeaterWait(now: number): void {
    const head = this.#tx.window.oldest;
    if (!head || !isHeaterWait(head.code)) return;
    const last = this.#brokenWait;
    if (last?.line === head) {
      const repeats = this.#facts.capabilities.EMERGENCY_PARSER === true;
      if (!repeats || now - last.at < this.#config.timeouts.okMs) return;
    }
    this.#brokenWait = { line: head, at: now };
    this.#tx.urgent('M108');
  }

  #abortJob(error: PrintosError, safeStop: boolean): void {
    if (!this.#job) return;
    if (safeStop && this.#isLive()) this.#beginSafeStop(error);
    else this.#finishJob('failed', error);
  }

  #finishCancel(): void {
    this.#cancelMarker = null;
    const failure = this.#cancelFailure;
    this.#finishJob(failure ? 'failed' : 'cancelled', failure ?? undefined);
  }

  #checkJobDone(): void {
    this.#checkPaused();
    const job = this.#job;
    if (!job || this.#tx.resending || this.#jobLinesInFlight()) return;
    if (this.#state === 'printing' && job.isDrained()) this.#finishJob('completed');
    if (this.#state === 'cancelling' && !this.#cancelQueued) this.#queueCancelCommands();
  }

  #checkPaused(): void {
    if (this.#state === 'pausing' && !this.#jobLinesInFlight()) this.#setState('paused');
  }

  #queueCancelCommands(): void {
    const commands = this.#config.cancelCommands;
    if (commands.length === 0) return this.#finishCancel();
    commands.forEach((command, i) => {
      this.#hostQueue.push({ command, marker: i === commands.length - 1 });
    });
    this.#cancelQueued = true;
  }

  #finishJob(outcome: 'completed' | 'cancelled' | 'failed', error?: PrintosError): void {
    const job = this.#job;
    if (!job) return;
    this.#job = null;
    this.#cancelQueued = false;
    this.#cancelFailure = null;
    this.#brokenWait = null;
    if (this.#isLive()) this.#setState('ready');
    this.#emit({ type: 'job-finished', result: job.result(outcome, error) });
  }

  #jobLinesInFlight(): boolean {
    return this.#tx.window.entries().some((l) => l.source === 'job');
  }

  // ---- sending ---------------------------------------------------------------

  #pump(now: number): void {
    if (this.#state === 'cancelling') this.#breakHeaterWait(now);
    this.#checkJobDone();
    if (!this.#tx.pumpResends()) return;
    this.#pumpHost(now);
    if (this.#state === 'printing') this.#pumpJob(now);
    this.#checkJobDone();
    // A state change just now (a safe stop) may have queued commands.
    this.#pumpHost(now);
    const request = this.#job?.readAheadRequest(this.#config.readAheadLines);
    if (request) this.#out.push({ type: 'request-lines', max: request });
  }

  #pumpHost(now: number): void {
    let next = this.#hostQueue[0];
    while (next) {
      const sent = this.#send(next.command, 'host', now);
      if (sent.outcome === 'full') return;
      this.#hostQueue.shift();
      if (sent.outcome === 'too-long') {
        const text = `command too long, not sent: ${next.command}`;
        this.#emit({ type: 'firmware-message', level: 'warn', text });
      } else if (next.marker && this.#cancelQueued) {
        this.#cancelMarker = sent.line;
      }
      next = this.#hostQueue[0];
    }
  }

  #pumpJob(now: number): void {
    const job = this.#job;
    let next: JobLine | undefined = job?.peek();
    while (job && next) {
      const sent = this.#send(next.command, 'job', now, next);
      if (sent.outcome === 'full') return;
      if (sent.outcome === 'too-long') {
        const max = this.#config.maxLineBytes;
        return this.#abortJob(lineTooLong(next.fileLine, sent.line.bytes, max), true);
      }
      job.take();
      next = job.peek();
    }
  }

  #send(command: string, source: 'job' | 'host', now: number, from?: JobLine) {
    if (this.#tx.window.size === 0) this.#lastProgressAt = now;
    return this.#tx.send(command, source, from);
  }

  #enqueueHost(command: string): void {
    if (commandCode(command) === 'M112') return this.#emergencyStop();
    this.#hostQueue.push({ command, marker: false });
  }

  #emergencyStop(): void {
    this.#tx.urgent('M112');
    this.#fatal(emergencyStopped(), 'halted');
  }

  // ---- state ---------------------------------------------------------------

  #fatal(error: PrintosError, state: PrinterState): void {
    if (!this.#isLive()) return;
    this.#hostQueue.length = 0;
    this.#tx.reset();
    this.#setState(state);
    if (this.#job) this.#finishJob('failed', error);
    this.#emit({ type: 'fatal', error });
  }

  #isLive(): boolean {
    return this.#state !== 'error' && this.#state !== 'halted' && this.#state !== 'disconnected';
  }

  #setState(state: PrinterState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#emit({ type: 'state', state });
  }

  #emit(event: SenderEvent): void {
    this.#flushWrite();
    this.#out.push({ type: 'event', event });
  }

  #flushWrite(): void {
    const data = this.#tx.takeWrites();
    if (data !== '') this.#out.push({ type: 'write', data });
  }
}

const HEATER_WAITS: ReadonlySet<string> = new Set(['M109', 'M190', 'M191']);

function isHeaterWait(code: string): boolean {
  return HEATER_WAITS.has(code);
}
