/**
 * A cloud job from link to print (protocol doc §1.9): the download runs in the
 * background (the command loop never waits for it), its progress is the report's
 * `downloading` percent, and the finished file goes to the printer. One at a time.
 */
import { rm } from 'node:fs/promises';
import { PrintosError, toPrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  CLIENT_ERROR,
  type CommandAnswer,
  ERROR_LEVEL,
  type ErrorLevel,
} from '../streamer-api/index.js';
import { firstArgument, sanitizeFilename } from './commands.js';
import type { DownloadJobOptions } from './download.js';
import { LINK_ERROR } from './error-list.js';
import type { DownloadProgress } from './report.js';
import type { LinkedPrinter } from './types.js';

export type DownloadFn = (options: DownloadJobOptions) => Promise<string>;

/** Download settings the service (or a test) may tune; the rest comes from the command. */
export type DownloadTuning = Pick<
  DownloadJobOptions,
  'timeoutMs' | 'maxTries' | 'retryPauseMs' | 'maxBytes' | 'ca'
>;

export interface JobDeliveryDeps {
  printer: LinkedPrinter;
  downloadsDir: string;
  log: Logger;
  download: DownloadFn;
  tuning?: DownloadTuning;
  /** Puts a failure in the cloud's error list. */
  report(code: number, message: string, level: ErrorLevel): void;
}

interface ActiveDownload {
  readonly controller: AbortController;
  readonly progress: DownloadProgress;
  cancelled: boolean;
  done: Promise<void>;
}

export class JobDelivery {
  readonly #deps: JobDeliveryDeps;
  #active: ActiveDownload | null = null;

  constructor(deps: JobDeliveryDeps) {
    this.#deps = deps;
  }

  busy(): boolean {
    return this.#active !== null;
  }

  /** What the report shows while a download runs (until the printer has taken the file). */
  progress(): DownloadProgress | null {
    return this.#active && !this.#active.cancelled ? { ...this.#active.progress } : null;
  }

  /** Starts downloading the job of a `gcodes` command with `is_link`; returns at once. */
  start(answer: CommandAnswer): void {
    if (this.#active) throw new PrintosError('CONFLICT', 'A job download is already running.');
    const url = firstArgument(answer.payload, 'url');
    if (typeof url !== 'string' || url === '') {
      throw new PrintosError('INVALID_ARGUMENT', 'The job command carries no download link.');
    }
    const zip = answer.zip === true || /\.zip$/i.test(answer.filename ?? '');
    const cloudJobId = answer.job_id ?? answer.job_snr;
    const active: ActiveDownload = {
      controller: new AbortController(),
      progress: {
        percent: 0,
        filename: sanitizeFilename(answer.filename, zip),
        ...(cloudJobId !== undefined ? { cloudJobId } : {}),
      },
      cancelled: false,
      done: Promise.resolve(),
    };
    this.#active = active;
    active.done = this.#run(active, url, zip, answer.size);
  }

  /** Cancels the running download (or the start of its print); false when none runs. */
  cancel(): boolean {
    const active = this.#active;
    if (!active) return false;
    active.cancelled = true;
    active.controller.abort();
    return true;
  }

  /** Cancels and waits until the temp file is gone. */
  async stop(): Promise<void> {
    const active = this.#active;
    this.cancel();
    await active?.done;
  }

  async #run(active: ActiveDownload, url: string, zip: boolean, size?: number): Promise<void> {
    const { printer, log } = this.#deps;
    let path: string | null = null;
    try {
      path = await this.#deps.download({
        ...this.#deps.tuning,
        url,
        dir: this.#deps.downloadsDir,
        zip,
        ...(size !== undefined ? { expectedSize: size } : {}),
        signal: active.controller.signal,
        log,
        onProgress: (received, total) => {
          active.progress.percent = total ? (received / total) * 100 : 0;
        },
      });
      if (active.cancelled) return;
      active.progress.percent = 100;
      const { filename, cloudJobId } = active.progress;
      await printer.startJob({
        path,
        filename,
        deleteAfter: true,
        ...(cloudJobId !== undefined ? { cloudJobId } : {}),
      });
      path = null; // the printer owns (and deletes) the file now
      // A cancel that arrived while the printer was loading the file applies right after start.
      if (active.cancelled) printer.cancel();
    } catch (err) {
      this.#failed(toPrintosError(err));
    } finally {
      if (path !== null) await rm(path, { force: true }).catch(() => undefined);
      if (this.#active === active) this.#active = null;
    }
  }

  #failed(error: PrintosError): void {
    const { log, report } = this.#deps;
    if (error.code === 'JOB_CANCELLED') {
      log.info('job download cancelled');
      return;
    }
    log.warn({ code: error.code }, error.message);
    const clientError = error.details?.clientError;
    if (error.code === 'DOWNLOAD_FAILED') {
      const code = typeof clientError === 'number' ? clientError : CLIENT_ERROR.DOWNLOAD_INCOMPLETE;
      report(code, error.message, ERROR_LEVEL.blocking);
    } else if (error.code === 'PRINTER_BUSY') {
      report(LINK_ERROR.PRINTER_BUSY, error.message, ERROR_LEVEL.blocking);
    } else {
      report(
        CLIENT_ERROR.FILE_LOAD,
        `The job could not be loaded: ${error.message}`,
        ERROR_LEVEL.blocking,
      );
    }
  }
}
