/**
 * Web sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie (Secure on
 * https), kept server-side as its hash, with idle and absolute expiry. A new id at every
 * login; logout and password resets delete them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomToken, tokenHash } from '../crypto.js';
import type { CloudContext } from './context.js';

export const SESSION_COOKIE = 'printos_session';
/** Writing last_seen on every request is wasteful; once a minute is precise enough. */
const TOUCH_EVERY_MS = 60_000;

export interface WebSession {
  accountId: number;
  idHash: string;
}

export class WebSessions {
  readonly #ctx: CloudContext;

  constructor(ctx: CloudContext) {
    this.#ctx = ctx;
  }

  /** The valid session of a request, if any (an expired one is deleted). */
  current(request: FastifyRequest): WebSession | null {
    const id = request.cookies[SESSION_COOKIE];
    if (!id || id.length > 100) return null;
    const { store, now, sessionIdleMs, sessionMaxMs } = this.#ctx;
    const idHash = tokenHash(id);
    const row = store.sessions.get(idHash);
    if (!row) return null;
    const at = now();
    if (at - row.last_seen_at > sessionIdleMs || at - row.created_at > sessionMaxMs) {
      store.sessions.delete(idHash);
      return null;
    }
    if (at - row.last_seen_at > TOUCH_EVERY_MS) store.sessions.touch(idHash, at);
    return { accountId: row.account_id, idHash };
  }

  /** Starts a session with a fresh id, ending the one the request came with. */
  begin(request: FastifyRequest, reply: FastifyReply, accountId: number): void {
    const { store, now, sessionIdleMs, sessionMaxMs } = this.#ctx;
    this.end(request, reply);
    const at = now();
    store.sessions.deleteExpired(at - sessionIdleMs, at - sessionMaxMs);
    const id = randomToken();
    store.sessions.create(tokenHash(id), accountId, at);
    reply.setCookie(SESSION_COOKIE, id, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: this.#ctx.secureCookies,
      maxAge: Math.floor(sessionMaxMs / 1000),
    });
  }

  end(request: FastifyRequest, reply: FastifyReply): void {
    const id = request.cookies[SESSION_COOKIE];
    if (id) this.#ctx.store.sessions.delete(tokenHash(id));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
  }
}
