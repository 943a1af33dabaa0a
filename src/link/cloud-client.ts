/**
 * The HTTP client of the StreamerAPI (protocol doc §1.1, §1.8): POST JSON over one
 * keep-alive connection, any 200 is success, every failure a PrintosError whose
 * `details.clientError` is the original's code (§1.15) so the link can report it.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { PrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  type AnswerOf,
  CLIENT_ERROR,
  decodeAnswer,
  MAX_ANSWER_BYTES,
  STREAMER_API,
  type StreamerEndpoint,
} from '../streamer-api/index.js';
import { maskSecrets } from './mask.js';
import { urlRefusal } from './url-rules.js';

export interface CloudClientOptions {
  /** https://host[:port][/prefix], or http:// to a loopback address. */
  baseUrl: string;
  /** A PEM file of extra CAs trusted besides the default roots (a self-hosted cloud). */
  caFile?: string;
  /** The first socket timeout; after each failure it grows by this much, up to 3× (§1.8: 6 → 18 s). */
  timeoutMs?: number;
  log: Logger;
}

export interface PostOptions {
  /** Aborts the request (the link's stop()); the promise rejects with CLOUD_UNREACHABLE. */
  signal?: AbortSignal;
}

export interface CloudClient {
  readonly baseUrl: string;
  /** The CAs this client trusts when a custom CA file was given (downloads use them too). */
  readonly ca: readonly string[] | undefined;
  post<E extends StreamerEndpoint>(
    endpoint: E,
    body: object,
    options?: PostOptions,
  ): Promise<AnswerOf<E>>;
  close(): void;
}

const DEFAULT_TIMEOUT_MS = 6000;
const MAX_TIMEOUT_FACTOR = 3;

type Phase = 'connect' | 'send' | 'read';

/** What a request resolves to when a reused keep-alive socket had been closed by the server. */
const STALE_SOCKET = Symbol('stale socket');

export function createCloudClient(options: CloudClientOptions): CloudClient {
  return new HttpCloudClient(options);
}

/** Reads a CA file into the list Node's TLS takes, with the default roots kept. */
export function loadCa(caFile: string): string[] {
  try {
    return [...rootCertificates, readFileSync(caFile, 'utf8')];
  } catch (err) {
    throw new PrintosError(
      'CONFIG_INVALID',
      `Cannot read the CA file ${caFile}: ${(err as Error).message}. Fix the path or remove the setting.`,
    );
  }
}

class HttpCloudClient implements CloudClient {
  readonly baseUrl: string;
  readonly ca: readonly string[] | undefined;
  readonly #base: URL;
  readonly #agent: http.Agent;
  readonly #timeoutMs: number;
  readonly #log: Logger;
  /** Consecutive failures; the socket timeout grows with them and resets on success. */
  #failures = 0;

  constructor(options: CloudClientOptions) {
    this.#base = parseBaseUrl(options.baseUrl);
    this.baseUrl = this.#base.href;
    this.ca = options.caFile === undefined ? undefined : loadCa(options.caFile);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#log = options.log;
    this.#agent =
      this.#base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ...(this.ca ? { ca: [...this.ca] } : {}) })
        : new http.Agent({ keepAlive: true });
  }

  async post<E extends StreamerEndpoint>(
    endpoint: E,
    body: object,
    options: PostOptions = {},
  ): Promise<AnswerOf<E>> {
    const url = this.#urlOf(endpoint);
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const started = Date.now();
    this.#log.trace({ endpoint, body: maskSecrets(body) }, 'cloud request');
    try {
      const text = await this.#send(url, payload, options.signal);
      const answer = decodeAnswer(endpoint, text);
      this.#failures = 0;
      this.#log.debug({ endpoint, ms: Date.now() - started }, 'cloud answered');
      this.#log.trace({ endpoint, answer: maskSecrets(answer) }, 'cloud answer');
      return answer;
    } catch (err) {
      if (err instanceof PrintosError && err.code === 'CLOUD_UNREACHABLE') this.#failures++;
      this.#log.debug(
        { endpoint, code: (err as PrintosError).code, ms: Date.now() - started },
        'cloud request failed',
      );
      throw err;
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #urlOf(endpoint: StreamerEndpoint): URL {
    const url = new URL(this.#base.href);
    url.pathname = this.#base.pathname.replace(/\/+$/, '') + STREAMER_API[endpoint];
    return url;
  }

  #currentTimeout(): number {
    const factor = Math.min(MAX_TIMEOUT_FACTOR, 1 + this.#failures);
    return this.#timeoutMs * factor;
  }

  /** Sends once; a kept-alive socket the server closed meanwhile gets one fresh retry. */
  async #send(url: URL, payload: Buffer, signal: AbortSignal | undefined): Promise<Buffer> {
    const body = await this.#request(url, payload, signal);
    if (body !== STALE_SOCKET) return body;
    const retried = await this.#request(url, payload, signal);
    if (retried !== STALE_SOCKET) return retried;
    throw unreachable(url, CLIENT_ERROR.REQUEST, 'the connection was reset');
  }

  #request(
    url: URL,
    payload: Buffer,
    signal: AbortSignal | undefined,
  ): Promise<Buffer | typeof STALE_SOCKET> {
    const transport = url.protocol === 'https:' ? https : http;
    const timeoutMs = this.#currentTimeout();
    return new Promise((resolve, reject) => {
      let phase: Phase = 'connect';
      let settled = false;
      const finish = (err: Error | null, body?: Buffer | typeof STALE_SOCKET) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (err) reject(err);
        else resolve(body as Buffer | typeof STALE_SOCKET);
      };
      const req = transport.request(url, {
        method: 'POST',
        agent: this.#agent,
        signal,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': payload.byteLength,
          Accept: 'application/json',
          'Accept-Encoding': 'identity',
        },
      });
      // An overall deadline, not only an idle one: a server dribbling bytes must not hold the loop.
      const deadline = setTimeout(() => req.destroy(timeoutError(timeoutMs)), timeoutMs);
      req.on('socket', (socket) => {
        if (!socket.connecting) phase = 'send';
        else
          socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
            phase = 'send';
          });
      });
      req.on('error', (err) => {
        if (req.reusedSocket && phase !== 'read' && isReset(err)) finish(null, STALE_SOCKET);
        else finish(this.#failure(url, phase, err, signal));
      });
      req.on('response', (res) => {
        phase = 'read';
        if (res.statusCode !== 200) {
          res.resume();
          finish(unreachable(url, CLIENT_ERROR.NOT_200, `it answered HTTP ${res.statusCode}`));
          return;
        }
        readBody(res, (err, body) => {
          if (err) req.destroy();
          finish(
            err ? (err instanceof PrintosError ? err : this.#failure(url, 'read', err)) : null,
            body,
          );
        });
      });
      req.end(payload);
    });
  }

  #failure(url: URL, phase: Phase, err: Error, signal?: AbortSignal): PrintosError {
    if (signal?.aborted) {
      return new PrintosError('CLOUD_UNREACHABLE', 'The cloud request was cancelled.', {
        clientError: CLIENT_ERROR.REQUEST,
        aborted: true,
      });
    }
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === TIMEOUT_CODE ? err.message : `${code ?? err.message}`;
    const clientError =
      phase === 'connect'
        ? CLIENT_ERROR.CONNECTION
        : phase === 'send'
          ? CLIENT_ERROR.REQUEST
          : CLIENT_ERROR.READ;
    return unreachable(url, clientError, reason);
  }
}

function parseBaseUrl(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new PrintosError('CONFIG_INVALID', `The cloud URL "${baseUrl}" is not a URL.`);
  }
  const refusal = urlRefusal(url) ?? (url.search || url.hash ? 'a query or fragment' : null);
  if (refusal) {
    throw new PrintosError('CONFIG_INVALID', `The cloud URL ${url.origin} is refused: ${refusal}.`);
  }
  return url;
}

/** Collects a body up to MAX_ANSWER_BYTES; a larger one is garbage (stops reading). */
function readBody(
  res: http.IncomingMessage,
  done: (err: Error | null, body?: Buffer) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  res.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      over = true;
      done(
        new PrintosError(
          'CLOUD_BAD_ANSWER',
          `The cloud's answer is larger than ${MAX_ANSWER_BYTES} bytes.`,
          { clientError: CLIENT_ERROR.READ },
        ),
      );
      return;
    }
    chunks.push(chunk);
  });
  res.on('error', (err) => done(err));
  res.on('end', () => {
    if (!over) done(null, Buffer.concat(chunks, size));
  });
  res.on('close', () => {
    if (!res.complete && !over) done(new Error('the answer was cut off'));
  });
}

function unreachable(url: URL, clientError: number, reason: string): PrintosError {
  return new PrintosError(
    'CLOUD_UNREACHABLE',
    `Cannot reach the cloud at ${url.origin}: ${reason}. The link keeps retrying.`,
    { clientError },
  );
}

function isReset(err: Error): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

const TIMEOUT_CODE = 'PRINTOS_TIMEOUT';

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no answer within ${ms} ms`), { code: TIMEOUT_CODE });
}
