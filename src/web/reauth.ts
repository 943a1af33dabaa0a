/**
 * Fresh re-authentication for sensitive actions (security.md, attack 9): a remote user
 * whose last password proof is older than `reauthMs` is sent to /confirm-identity before
 * network or cloud settings change, the service stops (logout), the account switches or
 * a printer goes. Loopback users are never asked (the seed: localhost has direct access).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { stateOf, type WebContext } from './context.js';

export const CONFIRM_IDENTITY_PATH = '/confirm-identity';

/** Whether this request's user must prove their identity again before a sensitive action. */
export function needsReauth(ctx: WebContext, request: FastifyRequest): boolean {
  const state = stateOf(ctx, request);
  if (state.local) return false;
  const provenAt = state.session?.remote ? state.session.provenAt : null;
  // No proof at all (cannot pass the gate, but never assume): asked like a stale one.
  return provenAt === null || ctx.now() - provenAt > ctx.limits.reauthMs;
}

/**
 * Sends a user whose proof is stale to the re-authentication page and answers the reply
 * to return; undefined when the action may go ahead. `action` names it on that page
 * ("remove the printer Prusa MK3"); `back` is the page whose form is submitted again.
 */
export function requireFreshIdentity(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  what: { action: string; back: string },
): FastifyReply | undefined {
  return needsReauth(ctx, request) ? askReauth(ctx, request, reply, what) : undefined;
}

/** Redirects to the re-authentication page, remembering the action to name there. */
export function askReauth(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  what: { action: string; back: string },
): FastifyReply {
  const session = stateOf(ctx, request).session;
  if (session) session.reauthFor = what.action;
  return reply.redirect(reauthUrl(what.back), 303);
}

export function reauthUrl(back: string): string {
  return `${CONFIRM_IDENTITY_PATH}?next=${encodeURIComponent(safeNext(back))}`;
}

/** One path segment: unreserved characters only, and never `.` or `..`. */
const SEGMENT = /^[A-Za-z0-9_~.-]+$/;
const MAX_NEXT = 512;

/**
 * Where to go after the re-authentication: `next` when it is a plain same-origin path,
 * else `/`. Only unreserved characters are allowed, so there is nothing left to
 * normalise: no scheme (`:`), no `//host`, no backslash (`/\\host`, read as `//host` by
 * browsers), no percent-encoding (`%2f%2f`, `%2e%2e`), no `.`/`..` segments, no query or
 * fragment, no control characters. The resolved URL must also equal the input.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length === 0 || next.length > MAX_NEXT) return '/';
  if (next === '/') return next;
  if (!next.startsWith('/')) return '/';
  const segments = next.slice(1).split('/');
  // A trailing slash leaves one empty last segment; an empty one elsewhere is `//`.
  const last = segments.length - 1;
  const valid = segments.every((segment, i) =>
    segment === '' ? i === last && i > 0 : SEGMENT.test(segment) && !/^\.{1,2}$/.test(segment),
  );
  if (!valid) return '/';
  // Belt and braces: the URL parser must leave it on this origin, unchanged.
  const base = 'http://printos.invalid';
  let resolved: URL;
  try {
    resolved = new URL(next, base);
  } catch {
    return '/';
  }
  if (resolved.origin !== base || resolved.pathname !== next) return '/';
  // Back to the re-authentication page itself would loop.
  if (next === CONFIRM_IDENTITY_PATH || next.startsWith(`${CONFIRM_IDENTITY_PATH}/`)) return '/';
  return next;
}
