/** A browser-like client over inject: a cookie jar, a peer address, a Host header. */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface Answer {
  status: number;
  body: string;
  location: string | undefined;
  headers: LightMyRequestResponse['headers'];
  cookies: LightMyRequestResponse['cookies'];
}

/**
 * A browser-like client over inject: a cookie jar, a peer address and a Host, forms
 * posted with the CSRF token of the last page it saw.
 */
export class Visitor {
  readonly cookies = new Map<string, string>();
  last = '';
  readonly #app: FastifyInstance;
  readonly peer: string;
  readonly host: string;

  constructor(app: FastifyInstance, options: { peer?: string; host?: string } = {}) {
    this.#app = app;
    this.peer = options.peer ?? '127.0.0.1';
    this.host = options.host ?? 'localhost:8008';
  }

  get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.send({ method: 'GET', url, headers });
  }

  /** Posts a form; `_csrf` is taken from the last page unless given (null: none). */
  post(
    url: string,
    form: Record<string, string> = {},
    headers: Record<string, string> = {},
    csrf: string | null = csrfOf(this.last),
  ): Promise<Answer> {
    const fields = csrf === null ? form : { _csrf: csrf, ...form };
    return this.send({
      method: 'POST',
      url,
      payload: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    });
  }

  async send(request: {
    method: 'GET' | 'POST';
    url: string;
    payload?: string | Buffer;
    headers?: Record<string, string>;
  }): Promise<Answer> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await this.#app.inject({
      method: request.method,
      url: request.url,
      remoteAddress: this.peer,
      headers: { host: this.host, ...(cookie ? { cookie } : {}), ...request.headers },
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
    for (const c of response.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()))
        this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    const location = response.headers.location as string | undefined;
    if (response.headers['content-type']?.toString().startsWith('text/html'))
      this.last = response.body;
    return {
      status: response.statusCode,
      body: response.body,
      location,
      headers: response.headers,
      cookies: response.cookies,
    };
  }

  /** Follows one redirect (GET) when the answer is one. */
  async follow(answer: Answer): Promise<Answer> {
    return answer.location ? this.get(answer.location) : answer;
  }
}

export function csrfOf(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

export const REMOTE = '192.168.1.50';
