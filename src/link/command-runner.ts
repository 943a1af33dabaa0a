/**
 * Executes the cloud's commands (protocol doc §1.7.3, §1.7.4) on one printer and
 * returns the ack the next request carries. Never throws: a refused or failed command
 * becomes an error-list entry and `result: false`.
 */
import { PrintosError, toPrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  CLIENT_ERROR,
  type CommandAck,
  type CommandAnswer,
  ERROR_LEVEL,
  type ErrorLevel,
} from '../streamer-api/index.js';
import { consoleLines, type KnownCommand, parseCommand, stringArgument } from './commands.js';
import type { JobDelivery } from './job-delivery.js';
import type { LinkedPrinter } from './types.js';

export interface CommandRunnerDeps {
  printer: LinkedPrinter;
  jobs: JobDelivery;
  log: Logger;
  report(code: number, message: string, level: ErrorLevel): void;
  /** The cloud renamed the printer (set_name): the name is kept in its cloud state. */
  onName(name: string): void;
  onQuit(): void;
  /** Absent: `upload_logs` is refused (error 109, ack false). */
  uploadLogs?(): Promise<void>;
}

const MAX_NAME = 255;

export class CommandRunner {
  readonly #deps: CommandRunnerDeps;

  constructor(deps: CommandRunnerDeps) {
    this.#deps = deps;
  }

  /** Runs the answer's command, if any; returns the ack to send next (null: nothing to ack). */
  run(answer: CommandAnswer): CommandAck | null {
    const { log, report } = this.#deps;
    const parsed = parseCommand(answer);
    if (!parsed) return null;
    if (!parsed.ok) {
      log.warn({ code: parsed.code }, parsed.message);
      report(parsed.code, parsed.message, ERROR_LEVEL.info);
      return parsed.number === null ? null : { number: parsed.number, result: false };
    }
    log.info({ command: parsed.name, number: parsed.number }, 'cloud command');
    try {
      return { number: parsed.number, result: this.#execute(parsed.name, parsed.number, answer) };
    } catch (err) {
      const error = toPrintosError(err);
      const code =
        error.code === 'INVALID_ARGUMENT'
          ? CLIENT_ERROR.VALIDATION
          : CLIENT_ERROR.COMMAND_EXCEPTION;
      const message = `Command ${parsed.name} failed: ${error.message}`;
      log.warn({ code: error.code }, message);
      report(code, message, ERROR_LEVEL.info);
      return { number: parsed.number, result: false };
    }
  }

  #execute(name: KnownCommand, number: number, answer: CommandAnswer): boolean {
    const { printer, jobs } = this.#deps;
    switch (name) {
      case 'gcodes':
        return this.#gcodes(number, answer);
      case 'pause':
        printer.pause();
        return true;
      case 'unpause':
      case 'resume':
        printer.resume();
        return true;
      case 'cancel':
        // A download in progress is the job the cloud means; otherwise the print.
        if (!jobs.cancel()) printer.cancel();
        return true;
      case 'set_name':
        return this.#setName(answer.payload);
      case 'quit_application':
        this.#deps.onQuit();
        return true;
      case 'upload_logs':
        this.#uploadLogs();
        return true;
    }
  }

  #gcodes(number: number, answer: CommandAnswer): boolean {
    const { jobs, printer, report } = this.#deps;
    if (answer.is_link) {
      if (jobs.busy()) {
        report(
          CLIENT_ERROR.DOWNLOAD_RUNNING,
          'A job download is already running; the new job was refused.',
          ERROR_LEVEL.info,
        );
        return false;
      }
      jobs.start(answer);
      return true;
    }
    printer.sendGcode(consoleLines(answer.payload, number));
    return true;
  }

  #setName(payload: unknown): boolean {
    const name = stringArgument(payload, 'name', MAX_NAME);
    this.#deps.printer.setName(name);
    this.#deps.onName(name);
    return true;
  }

  /** The ack says the upload started; a failure later goes to the error list. */
  #uploadLogs(): void {
    const { log, report, uploadLogs } = this.#deps;
    if (!uploadLogs) throw new PrintosError('NOT_SUPPORTED', 'this client cannot upload its logs');
    Promise.resolve()
      .then(() => uploadLogs())
      .catch((err: unknown) => {
        const message = `Log upload failed: ${toPrintosError(err).message}`;
        log.warn(message);
        report(CLIENT_ERROR.COMMAND_EXCEPTION, message, ERROR_LEVEL.info);
      });
  }
}
