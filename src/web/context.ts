/**
 * What every route of the web interface shares: the deps, the limits, and the pieces
 * with state (sessions, login throttle, audit log, progress estimates, live streams).
 * One context per web server; nothing lives at module level.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuditLog } from './audit.js';
import { isLoopbackPeer, normalizePeer } from './gate.js';
import { ExternalHostNames } from './hosts.js';
import { ProgressTracker } from './progress.js';
import { type Session, SessionStore } from './sessions.js';
import { LoginThrottle } from './throttle.js';
import { DEFAULT_LIMITS, type WebDeps, type WebLimits } from './types.js';

export type ListenerKind = 'loopback' | 'external';

/** What the access gate learned about a request. */
export interface RequestState {
  listener: ListenerKind;
  /** The socket's peer is loopback: the remote-access screen is skipped. */
  local: boolean;
  peer: string;
  session: Session | null;
}

export interface WebContext {
  deps: WebDeps;
  limits: WebLimits;
  now: () => number;
  sessions: SessionStore;
  throttle: LoginThrottle;
  audit: AuditLog;
  progress: ProgressTracker;
  externalHosts: ExternalHostNames;
  /** Closes the live streams (server stop). */
  liveStreams: Set<() => void>;
  states: WeakMap<FastifyRequest, RequestState>;
  /** What the settings page shows about the running listeners. */
  status: { certificate: string };
}

export function createContext(deps: WebDeps): WebContext {
  const limits: WebLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const now = deps.now ?? Date.now;
  return {
    deps,
    limits,
    now,
    sessions: new SessionStore(
      { idleMs: limits.sessionIdleMs, maxMs: limits.sessionMaxMs, maxSessions: limits.maxSessions },
      now,
    ),
    throttle: new LoginThrottle(
      {
        perAccount: limits.failuresPerAccount,
        perPeer: limits.failuresPerPeer,
        windowMs: limits.throttleWindowMs,
      },
      now,
    ),
    audit: new AuditLog(deps.paths.logs, (err) =>
      deps.log.error({ err }, 'audit log write failed'),
    ),
    progress: new ProgressTracker(now),
    externalHosts: new ExternalHostNames(deps.settings.web.allowedHosts),
    liveStreams: new Set(),
    states: new WeakMap(),
    status: { certificate: 'none (external access is off)' },
  };
}

/** The gate's view of a request (set by the first hook of every listener). */
export function stateOf(ctx: WebContext, request: FastifyRequest): RequestState {
  const state = ctx.states.get(request);
  if (state) return state;
  // Only reachable if a route bypassed the gate hook: treat it as remote and anonymous.
  return {
    listener: 'external',
    local: false,
    peer: normalizePeer(request.socket.remoteAddress),
    session: null,
  };
}

export function peerOf(request: FastifyRequest): { peer: string; local: boolean } {
  const address = request.socket.remoteAddress;
  return { peer: normalizePeer(address), local: isLoopbackPeer(address) };
}

export const COOKIE_LOOPBACK = 'printos_client';
/** `__Host-`: the browser keeps it only if Secure, host-only and path=/ (no subdomain can plant it). */
export const COOKIE_EXTERNAL = '__Host-printos_client';

export function cookieName(listener: ListenerKind): string {
  return listener === 'external' ? COOKIE_EXTERNAL : COOKIE_LOOPBACK;
}

/** The request's session, created (with its cookie) when it has none. */
export function ensureSession(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Session {
  const state = stateOf(ctx, request);
  if (state.session) return state.session;
  return startSession(ctx, request, reply, null);
}

/**
 * A new session (new id) for this browser, ending the one it came with. `provenAt`: when
 * the remote identity was last proven (default: now, a sign-in).
 */
export function startSession(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  remote: Session['remote'],
  provenAt?: number | null,
): Session {
  const state = stateOf(ctx, request);
  const { id, session } = ctx.sessions.create(remote, state.session, provenAt);
  state.session = session;
  reply.setCookie(cookieName(state.listener), id, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: state.listener === 'external',
  });
  return session;
}

export function endSession(ctx: WebContext, request: FastifyRequest, reply: FastifyReply): void {
  const state = stateOf(ctx, request);
  if (state.session) ctx.sessions.delete(state.session);
  state.session = null;
  reply.clearCookie(cookieName(state.listener), {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: state.listener === 'external',
  });
}

/** A message for the next page this session shows (after a redirect). */
export function flash(
  ctx: WebContext,
  request: FastifyRequest,
  message: { notice?: string; error?: string },
): void {
  const session = stateOf(ctx, request).session;
  if (session) session.flash = message;
}

export function takeFlash(
  ctx: WebContext,
  request: FastifyRequest,
): { notice?: string; error?: string } {
  const session = stateOf(ctx, request).session;
  const message = session?.flash ?? {};
  if (session) session.flash = null;
  return message;
}
