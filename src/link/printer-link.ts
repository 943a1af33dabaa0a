/**
 * One printer's link to the cloud (protocol doc §1.6, §1.7): printer_login, then a
 * report/command exchange every period. Whatever the cloud does (down, slow, garbage),
 * the loop backs off and retries and the printer keeps printing; what the cloud must
 * learn (acks, errors, job-end events, console lines) waits until a request carrying
 * it is answered.
 */
import { PrintosError, toPrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  CLIENT_ERROR,
  COMMAND_ERROR,
  type CommandAnswer,
  ERROR_LEVEL,
  type ErrorLevel,
  type PrinterLoginAnswer,
  type PrinterLoginRequest,
} from '../streamer-api/index.js';
import type { CloudClient } from './cloud-client.js';
import { CommandRunner } from './command-runner.js';
import { downloadJob } from './download.js';
import { type DownloadFn, type DownloadTuning, JobDelivery } from './job-delivery.js';
import { backoffDelay, ctime, type LinkClock, SYSTEM_CLOCK } from './loop-timing.js';
import { Outbox } from './outbox.js';
import { jobEndEvents, loginRefusal } from './outcomes.js';
import type { JobFinished, LinkedPrinter, PrinterCloudState, PrinterSnapshot } from './types.js';

export interface PrinterLinkDeps {
  client: CloudClient;
  userToken: string;
  printer: LinkedPrinter;
  /** version + branch, as in user_login (HostIdentity.version). */
  version: string;
  /** The camera module name printer_login reports (§1.6). */
  camera?: string;
  verbose?: boolean;
  /** What the service kept for this printer: the type is re-sent on error 8. */
  cloudState?: PrinterCloudState;
  downloadsDir: string;
  log: Logger;
  /** The command loop period (§1.8: 2 s). */
  periodMs?: number;
  /** The back-off ceiling while the cloud is unreachable. */
  maxBackoffMs?: number;
  /** How long a delivered error blocks its code (§1.8: 60 s). */
  errorTtlMs?: number;
  clock?: LinkClock;
  download?: DownloadFn;
  downloadTuning?: DownloadTuning;
  /** printer_login answered 7 or 9: the printer was removed or belongs to another account. */
  onUnlinked(code: number): void;
  /** The cloud named the printer or gave a connection id: persist it. */
  onCloudState(state: PrinterCloudState): void;
  onQuit(): void;
  /** Zips and uploads the logs (§1.12); without it `upload_logs` fails with error 109. */
  uploadLogs?(): Promise<void>;
}

export type LinkPhase = 'idle' | 'login' | 'linked' | 'unlinked' | 'failed' | 'stopped';

export interface LinkState {
  phase: LinkPhase;
  linked: boolean;
  /** When the cloud last answered (clock ms); absent before the first answer. */
  lastContact?: number;
  lastError?: string;
  hasPrinterToken: boolean;
  cloudName?: string;
}

export class PrinterLink {
  readonly #deps: PrinterLinkDeps;
  readonly #clock: LinkClock;
  readonly #period: number;
  readonly #outbox: Outbox;
  readonly #jobs: JobDelivery;
  readonly #commands: CommandRunner;
  readonly #abort = new AbortController();
  #phase: LinkPhase = 'idle';
  #cloudState: PrinterCloudState;
  #printerToken: string | null = null;
  #failures = 0;
  #lastContact: number | null = null;
  #lastError: string | null = null;
  #nextDelay = 0;
  #timer: unknown = null;
  #inFlight: Promise<void> | null = null;
  #unsubscribe: (() => void) | null = null;

  constructor(deps: PrinterLinkDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? SYSTEM_CLOCK;
    this.#period = deps.periodMs ?? 2000;
    this.#cloudState = { ...deps.cloudState };
    this.#outbox = new Outbox(deps.errorTtlMs ?? 60_000);
    const report = (code: number, message: string, level: ErrorLevel) => {
      this.#outbox.report(code, message, level);
    };
    const ca = deps.client.ca;
    this.#jobs = new JobDelivery({
      printer: deps.printer,
      downloadsDir: deps.downloadsDir,
      log: deps.log,
      download: deps.download ?? downloadJob,
      report,
      tuning: { ...(ca ? { ca } : {}), ...deps.downloadTuning },
    });
    this.#commands = new CommandRunner({
      printer: deps.printer,
      jobs: this.#jobs,
      log: deps.log,
      report,
      onName: (name) => this.#updateCloudState({ name }),
      onQuit: deps.onQuit,
      ...(deps.uploadLogs ? { uploadLogs: deps.uploadLogs } : {}),
    });
  }

  /** Subscribes to the printer and starts the loop (printer_login first). */
  start(): void {
    if (this.#phase !== 'idle') return;
    this.#open();
    this.#schedule(0);
  }

  /** Stops the loop, cancels a download and any request in flight. */
  async stop(): Promise<void> {
    this.#close('stopped');
    await this.#inFlight;
    await this.#jobs.stop();
  }

  /**
   * Runs one turn of the loop now (printer_login or one exchange) and resolves when it
   * is done; start() runs it on a timer. Tests drive the link with it.
   */
  step(): Promise<void> {
    if (this.#phase === 'idle') this.#open();
    this.#inFlight ??= this.#turn().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  state(): LinkState {
    return {
      phase: this.#phase,
      linked: this.#phase === 'linked',
      ...(this.#lastContact !== null ? { lastContact: this.#lastContact } : {}),
      ...(this.#lastError !== null ? { lastError: this.#lastError } : {}),
      hasPrinterToken: this.#printerToken !== null,
      ...(this.#cloudState.name !== undefined ? { cloudName: this.#cloudState.name } : {}),
    };
  }

  /** The delay before the next turn that the last turn chose (back-off included). */
  nextDelay(): number {
    return this.#nextDelay;
  }

  /** Errors waiting for, or recently delivered to, the cloud. */
  activeErrors() {
    return this.#outbox.activeErrors();
  }

  #open(): void {
    this.#phase = 'login';
    this.#unsubscribe = this.#deps.printer.onJobFinished((event) => this.#jobFinished(event));
  }

  #close(phase: LinkPhase): void {
    if (!this.#running() && this.#phase !== 'idle') return;
    this.#phase = phase;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#abort.abort();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#printerToken = null;
    void this.#jobs.stop();
  }

  #running(): boolean {
    return this.#phase === 'login' || this.#phase === 'linked';
  }

  #schedule(ms: number): void {
    if (!this.#running()) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      void this.step().then(() => this.#schedule(this.#nextDelay));
    }, ms);
  }

  async #turn(): Promise<void> {
    const started = this.#clock.now();
    try {
      if (this.#phase === 'login') await this.#login();
      else if (this.#phase === 'linked') await this.#exchange();
    } catch (err) {
      // A bug must not end the loop: note it and retry like a failed request.
      this.#deps.log.error({ err }, 'printer link turn failed');
      this.#failed(toPrintosError(err));
    }
    // The period counts from the start of a turn; a back-off counts from its end.
    if (this.#failures === 0) {
      this.#nextDelay = Math.max(0, this.#nextDelay - (this.#clock.now() - started));
    }
  }

  async #login(): Promise<void> {
    const { connId, printerType } = this.#cloudState;
    const body: PrinterLoginRequest = {
      user_token: this.#deps.userToken,
      printer: { ...this.#deps.printer.identity },
      version: this.#deps.version,
      message_time: ctime(new Date(this.#clock.now())),
      camera: this.#deps.camera ?? 'Disable camera',
      verbose: this.#deps.verbose ?? false,
      no_job_fail: true,
      profiles_version: 'v2',
      ...(connId ? { select_conn_id: connId } : {}),
      ...(printerType ? { select_printer_type: printerType } : {}),
    };
    let answer: PrinterLoginAnswer;
    try {
      answer = await this.#deps.client.post('printerLogin', body, { signal: this.#abort.signal });
    } catch (err) {
      return this.#failed(toPrintosError(err));
    }
    if (!this.#running()) return;
    if (answer.error) {
      this.#answered();
      return this.#loginRefused(answer.error.code, answer.error.message);
    }
    if (!answer.printer_token) {
      // As useless as garbage: it keeps the back-off growing.
      return this.#failed(
        new PrintosError(
          'CLOUD_BAD_ANSWER',
          'The cloud accepted printer_login but sent no token.',
          {
            clientError: CLIENT_ERROR.NOT_OBJECT,
          },
        ),
      );
    }
    this.#answered();
    this.#printerToken = answer.printer_token;
    this.#phase = 'linked';
    this.#outbox.newSession();
    this.#deps.log.info({ name: answer.name }, 'printer linked to the cloud');
    this.#updateCloudState({
      ...(answer.name !== undefined ? { name: answer.name } : {}),
      ...(answer.conn_id !== undefined ? { connId: answer.conn_id } : {}),
    });
  }

  #loginRefused(code: number, message: string): void {
    const refusal = loginRefusal(code, message);
    this.#lastError = refusal.message;
    this.#deps.log.warn({ cloudCode: code }, refusal.message);
    if (refusal.action === 'retry') return;
    this.#close(refusal.action === 'unlinked' ? 'unlinked' : 'failed');
    if (refusal.action === 'unlinked') this.#deps.onUnlinked(code);
  }

  async #exchange(): Promise<void> {
    const snapshot = this.#snapshot();
    const request = this.#outbox.compose(
      this.#printerToken ?? '',
      snapshot,
      this.#jobs.progress(),
      this.#clock.now(),
    );
    let answer: CommandAnswer;
    try {
      answer = await this.#deps.client.post('command', request.body, {
        signal: this.#abort.signal,
      });
    } catch (err) {
      return this.#failed(toPrintosError(err));
    }
    if (!this.#running()) return;
    this.#answered();
    if (answer.error?.code === COMMAND_ERROR.BAD_TOKEN) {
      // Nothing was taken: the new session sends it all again.
      this.#deps.log.warn('the cloud no longer accepts the printer token; logging in again');
      this.#phase = 'login';
      this.#printerToken = null;
      this.#nextDelay = 0;
      return;
    }
    request.delivered(this.#clock.now());
    if (answer.error) {
      this.#deps.log.warn({ cloudCode: answer.error.code }, `cloud: ${answer.error.message}`);
    }
    const ack = this.#commands.run(answer);
    if (ack) this.#outbox.setAck(ack);
  }

  /** The printer's snapshot; its console lines wait in the outbox until delivered. */
  #snapshot(): PrinterSnapshot {
    try {
      const snapshot = this.#deps.printer.snapshot();
      if (snapshot.console?.length) this.#outbox.addConsole(snapshot.console);
      return snapshot;
    } catch (err) {
      this.#deps.log.warn({ err }, 'printer snapshot failed');
      return { state: 'error', temperatures: [], job: null };
    }
  }

  #jobFinished(event: JobFinished): void {
    const { events, error } = jobEndEvents(event);
    this.#outbox.addEvents(events);
    if (error) this.#outbox.report(error.code, error.message, error.level);
  }

  /** The cloud answered (whatever it said): the outage, if any, is over. */
  #answered(): void {
    if (this.#failures > 0) this.#deps.log.info('the cloud answers again');
    this.#lastContact = this.#clock.now();
    this.#failures = 0;
    this.#lastError = null;
    this.#nextDelay = this.#period;
  }

  #failed(error: PrintosError): void {
    if (!this.#running() || error.details?.aborted === true) return;
    this.#failures++;
    this.#lastError = error.message;
    const clientError = error.details?.clientError;
    // The original reports its connection failures (2–8) as info once the cloud is back.
    if (typeof clientError === 'number') {
      this.#outbox.report(clientError, error.message, ERROR_LEVEL.info);
    }
    const { maxBackoffMs } = this.#deps;
    this.#nextDelay = backoffDelay(
      this.#failures,
      this.#period,
      maxBackoffMs,
      this.#clock.random(),
    );
    const fields = { code: error.code, clientError, retryInMs: this.#nextDelay };
    if (this.#failures === 1) this.#deps.log.warn(fields, `cloud request failed: ${error.message}`);
    else this.#deps.log.debug(fields, 'cloud still unreachable');
  }

  #updateCloudState(change: PrinterCloudState): void {
    const next = { ...this.#cloudState, ...change };
    if (next.name === this.#cloudState.name && next.connId === this.#cloudState.connId) return;
    this.#cloudState = next;
    this.#deps.onCloudState({ ...next });
  }
}
