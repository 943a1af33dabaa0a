/**
 * The hooks every request of the web interface passes, in order: the Host allowlist
 * (DNS rebinding), the access gate (remote peers sign in first), and on state changes
 * the Origin / Sec-Fetch-Site check and the CSRF token bound to the session.
 */
import type { FastifyContextConfig, FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError } from '../core/errors.js';
import { cookieName, type ListenerKind, peerOf, stateOf, type WebContext } from './context.js';
import { hostAllowed, LOOPBACK_HOST_NAMES } from './gate.js';
import { messagePage } from './views/layout.js';

const LOOPBACK_NAMES: ReadonlySet<string> = new Set(LOOPBACK_HOST_NAMES);

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  // Not no-referrer: with it, Chromium sends `Origin: null` on same-origin form posts.
  'Referrer-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** Route config flags. */
export interface RouteFlags {
  /** Reachable before the remote-access screen (the screen itself and its stylesheet). */
  public?: boolean;
  /** A multipart form: its handler checks the CSRF field itself, before reading the file. */
  uploadForm?: boolean;
}

/** Route config carrying our flags (Fastify keeps unknown config keys as they are). */
export function routeFlags(flags: RouteFlags): FastifyContextConfig {
  return flags as FastifyContextConfig;
}

export function flagsOf(request: FastifyRequest): RouteFlags {
  return (request.routeOptions.config ?? {}) as RouteFlags;
}

/** The names a listener answers to. */
export function hostNames(ctx: WebContext, listener: ListenerKind): ReadonlySet<string> {
  return listener === 'loopback' ? LOOPBACK_NAMES : ctx.externalHosts.names(ctx.now());
}

/** First hook: refuse foreign Host names, then learn the peer and the session. */
export function gateHook(ctx: WebContext, listener: ListenerKind, configuredPort: () => number) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const port = request.socket.localPort ?? configuredPort();
    if (!hostAllowed(request.headers.host, hostNames(ctx, listener), port)) {
      return reply
        .code(421)
        .type('text/plain; charset=utf-8')
        .send('This server answers only to its own names (Host header refused).\n');
    }
    const { peer, local } = peerOf(request);
    const session = ctx.sessions.find(request.cookies[cookieName(listener)]);
    ctx.states.set(request, { listener, local, peer, session });
    if (local || session?.remote || flagsOf(request).public) return undefined;
    return refuseAnonymousRemote(request, reply);
  };
}

function refuseAnonymousRemote(request: FastifyRequest, reply: FastifyReply) {
  if (request.url.startsWith('/ui/')) {
    return reply.code(401).send({
      error: { code: 'UNAUTHORIZED', message: 'Sign in on the remote-access screen first.' },
    });
  }
  if (request.method === 'GET' || request.method === 'HEAD') {
    return reply.redirect('/remote-login', 303);
  }
  return reply
    .code(401)
    .type('text/html; charset=utf-8')
    .send(
      messagePage('Sign in first', 'Remote access needs a sign-in on the remote-access screen.', {
        href: '/remote-login',
        text: 'Sign in',
      }),
    );
}

/** Every request that changes state: same-site only, a form encoding, a valid CSRF token. */
export async function stateChangeHook(ctx: WebContext, request: FastifyRequest): Promise<void> {
  if (request.method === 'GET' || request.method === 'HEAD') {
    if (request.url.startsWith('/ui/')) checkSameSite(request);
    return;
  }
  checkSameSite(request);
  checkOrigin(request, stateOf(ctx, request).listener);
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (flagsOf(request).uploadForm) {
    if (type !== 'multipart/form-data') throw formRefused();
    return;
  }
  if (type !== 'application/x-www-form-urlencoded') throw formRefused();
  checkCsrf(ctx, request, (request.body as Record<string, unknown> | undefined)?._csrf);
}

export function checkCsrf(ctx: WebContext, request: FastifyRequest, token: unknown): void {
  const session = stateOf(ctx, request).session;
  if (!session || !ctx.sessions.csrfValid(session, token)) {
    throw new PrintosError(
      'FORBIDDEN',
      'This form has expired or came from another site. Reload the page and try again.',
    );
  }
}

function formRefused(): PrintosError {
  return new PrintosError('FORBIDDEN', 'Only the forms of these pages are accepted.');
}

/** A browser says where a request came from; refuse another site's. */
function checkSameSite(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new PrintosError('FORBIDDEN', 'Requests from other sites are refused.');
  }
}

function checkOrigin(request: FastifyRequest, listener: ListenerKind): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  const scheme = listener === 'external' ? 'https' : 'http';
  const expected = `${scheme}://${(request.headers.host ?? '').toLowerCase()}`;
  if (origin.toLowerCase() !== expected) {
    throw new PrintosError('FORBIDDEN', 'Requests from other sites are refused.');
  }
}
