/**
 * Job downloads (protocol doc §1.9): GET on the signed link of a `gcodes` command,
 * resumed with `Range` after a broken transfer, written to a temp file (0600) and
 * renamed when complete and of the announced size. The link is a secret: only its
 * origin is ever logged or put in a message.
 */
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { PrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { CLIENT_ERROR } from '../streamer-api/index.js';
import { urlRefusal } from './url-rules.js';

export interface DownloadJobOptions {
  url: string;
  /** Where the file goes (created 0700 if missing). */
  dir: string;
  /** The size the cloud announced; the file must have exactly this size. */
  expectedSize?: number;
  /** Keep a `.zip` name (the printer layer opens the one G-code file inside). */
  zip?: boolean;
  onProgress?: (received: number, total: number | null) => void;
  signal?: AbortSignal;
  log: Logger;
  /** Trusted CAs for https (the cloud client's, when a custom CA is set). */
  ca?: readonly string[];
  /** Socket idle timeout (§1.8: 6 s). */
  timeoutMs?: number;
  /** Tries in all, the first included (§1.8: 5). */
  maxTries?: number;
  /** Pause before try n+1 is n × this (§1.8: about 1 s). */
  retryPauseMs?: number;
  /** Cap when no size is known. */
  maxBytes?: number;
}

const DEFAULTS = {
  timeoutMs: 6000,
  maxTries: 5,
  retryPauseMs: 1000,
  maxBytes: 2 * 1024 ** 3,
};
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Downloads the job and returns the path of the complete file. */
export async function downloadJob(options: DownloadJobOptions): Promise<string> {
  const url = parseLink(options.url);
  await mkdir(options.dir, { recursive: true, mode: 0o700 });
  const id = randomBytes(8).toString('hex');
  const extension = options.zip ? '.zip' : '.gcode';
  const temp = join(options.dir, `.job-${id}${extension}.part`);
  const path = join(options.dir, `job-${id}${extension}`);
  const file = await open(temp, 'w', 0o600);
  let isOpen = true;
  try {
    const size = await new Transfer(url, file, options).run();
    await file.sync();
    await file.close();
    isOpen = false;
    await rename(temp, path);
    options.log.info({ from: url.origin, bytes: size }, 'job downloaded');
    return path;
  } catch (err) {
    if (isOpen) await file.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw err;
  }
}

function parseLink(link: string): URL {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw fail(CLIENT_ERROR.DOWNLOAD_LINK, 'the job link is not a URL', false);
  }
  const refusal = urlRefusal(url);
  if (refusal) throw fail(CLIENT_ERROR.DOWNLOAD_LINK, `the job link is refused: ${refusal}`, false);
  return url;
}

function fail(clientError: number, why: string, retryable: boolean): PrintosError {
  return new PrintosError('DOWNLOAD_FAILED', `Cannot download the job: ${why}.`, {
    clientError,
    retryable,
  });
}

class Transfer {
  readonly #url: URL;
  readonly #file: FileHandle;
  readonly #options: DownloadJobOptions;
  readonly #settings: typeof DEFAULTS;
  #received = 0;
  #total: number | null;

  constructor(url: URL, file: FileHandle, options: DownloadJobOptions) {
    this.#url = url;
    this.#file = file;
    this.#options = options;
    this.#settings = {
      timeoutMs: options.timeoutMs ?? DEFAULTS.timeoutMs,
      maxTries: Math.max(1, options.maxTries ?? DEFAULTS.maxTries),
      retryPauseMs: options.retryPauseMs ?? DEFAULTS.retryPauseMs,
      maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
    };
    this.#total = options.expectedSize ?? null;
  }

  /** Tries until complete; returns the size. */
  async run(): Promise<number> {
    const { log, signal } = this.#options;
    for (let attempt = 1; ; attempt++) {
      try {
        this.#checkAborted();
        await this.#attempt();
        return this.#received;
      } catch (err) {
        const error = this.#classify(err);
        if (error.details?.retryable !== true || attempt >= this.#settings.maxTries) throw error;
        log.warn(
          {
            from: this.#url.origin,
            attempt,
            received: this.#received,
            code: error.details.clientError,
          },
          'job download interrupted; trying again',
        );
        await pause(this.#settings.retryPauseMs * attempt, signal);
      }
    }
  }

  async #attempt(): Promise<void> {
    const res = await this.#get(this.#received);
    try {
      if ((await this.#accept(res)) === 'complete') return;
      await this.#readBody(res);
      if (this.#total !== null && this.#received < this.#total) {
        throw fail(
          CLIENT_ERROR.DOWNLOAD_CHUNK,
          `the transfer ended at ${this.#received} bytes`,
          true,
        );
      }
    } finally {
      res.destroy();
    }
  }

  async #get(from: number): Promise<http.IncomingMessage> {
    let url = this.#url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const res = await this.#request(url, from);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return res;
      res.resume();
      url = new URL(location, url);
      const refusal = urlRefusal(url);
      if (refusal)
        throw fail(CLIENT_ERROR.DOWNLOAD_LINK, `a redirect is refused: ${refusal}`, false);
    }
    throw fail(CLIENT_ERROR.DOWNLOAD_LINK, 'too many redirects', false);
  }

  #request(url: URL, from: number): Promise<http.IncomingMessage> {
    const { signal, ca } = this.#options;
    const transport = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity', Accept: '*/*' };
    if (from > 0) headers.Range = `bytes=${from}-`;
    return new Promise((resolve, reject) => {
      const req = transport.get(url, {
        agent: false,
        headers,
        signal,
        ...(ca && url.protocol === 'https:' ? { ca: [...ca] } : {}),
      });
      req.setTimeout(this.#settings.timeoutMs, () => req.destroy(new Error('timed out')));
      // Stays attached: errors after the response (a broken body) must not go uncaught.
      req.on('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code ?? err.message;
        reject(fail(CLIENT_ERROR.DOWNLOAD_LINK, `no connection to ${url.origin} (${code})`, true));
      });
      req.once('response', resolve);
    });
  }

  /** Checks status and headers; resets the file when the server starts over. */
  async #accept(res: http.IncomingMessage): Promise<'body' | 'complete'> {
    const status = res.statusCode ?? 0;
    const encoding = res.headers['content-encoding'];
    if (encoding && encoding !== 'identity') {
      throw fail(CLIENT_ERROR.DOWNLOAD_HTTP, `the server compressed the file (${encoding})`, false);
    }
    if (status === 200) {
      if (this.#received > 0) {
        this.#options.log.info({ from: this.#url.origin }, 'server ignored Range; restarting');
        await this.#restart();
      }
      this.#setTotal(headerInt(res.headers['content-length']));
      return 'body';
    }
    if (status === 206) {
      const range = contentRange(res.headers['content-range']);
      if (!range || range.start !== this.#received) {
        await this.#restart();
        throw fail(CLIENT_ERROR.DOWNLOAD_CHUNK, 'the server sent another range', true);
      }
      this.#setTotal(range.total);
      return 'body';
    }
    if (status === 416 && this.#received > 0 && this.#received === this.#total) return 'complete';
    const retryable = status >= 500 || status === 408 || status === 429 || status === 416;
    if (status === 416) await this.#restart();
    throw fail(CLIENT_ERROR.DOWNLOAD_HTTP, `the server answered HTTP ${status}`, retryable);
  }

  #setTotal(total: number | null): void {
    if (total === null) return;
    const expected = this.#options.expectedSize;
    if (expected !== undefined && total !== expected) {
      throw fail(
        CLIENT_ERROR.DOWNLOAD_INCOMPLETE,
        `the file has ${total} bytes, the cloud announced ${expected}`,
        false,
      );
    }
    this.#total = total;
  }

  async #readBody(res: http.IncomingMessage): Promise<void> {
    const limit = this.#total ?? this.#settings.maxBytes;
    const chunks = res[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch {
        throw fail(
          CLIENT_ERROR.DOWNLOAD_CHUNK,
          `the transfer broke at ${this.#received} bytes`,
          true,
        );
      }
      if (next.done) return;
      const chunk = next.value;
      if (this.#received + chunk.byteLength > limit) {
        throw fail(
          CLIENT_ERROR.DOWNLOAD_INCOMPLETE,
          `more than the ${limit} bytes expected`,
          false,
        );
      }
      await this.#file.write(chunk, 0, chunk.byteLength, this.#received);
      this.#received += chunk.byteLength;
      this.#options.onProgress?.(this.#received, this.#total);
    }
  }

  async #restart(): Promise<void> {
    await this.#file.truncate(0);
    this.#received = 0;
  }

  #checkAborted(): void {
    if (this.#options.signal?.aborted) throw cancelled();
  }

  #classify(err: unknown): PrintosError {
    if (this.#options.signal?.aborted) return cancelled();
    if (err instanceof PrintosError) return err;
    // A file system failure (disk full, …): trying again will not help.
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail(CLIENT_ERROR.DOWNLOAD_UNKNOWN, `cannot write the file (${reason})`, false);
  }
}

function cancelled(): PrintosError {
  return new PrintosError('JOB_CANCELLED', 'The job download was cancelled.');
}

function headerInt(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/** `bytes 100-999/1000` → start and total (null when `*`). */
function contentRange(value: string | undefined): { start: number; total: number | null } | null {
  const match = value ? /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(value.trim()) : null;
  if (!match) return null;
  return { start: Number(match[1]), total: match[2] === '*' ? null : Number(match[2]) };
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
