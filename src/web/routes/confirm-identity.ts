/**
 * The re-authentication page (/confirm-identity): a remote user whose last password
 * proof is stale types the password of the identity they signed in with (the OS account
 * through PAM, or the linked cloud account) before a sensitive action (reauth.ts). On
 * success the session gets a new id and a fresh proof, and the user returns to `next` to
 * submit their form again. Failures count against the same throttle as screen 1, answer
 * after the same delay whatever the cause, and are audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { startSession, stateOf, type WebContext } from '../context.js';
import { safeNext } from '../reauth.js';
import type { RemoteIdentity, Session } from '../sessions.js';
import { confirmIdentityBody, periodText } from '../views/confirm-identity.js';
import { delayUntil, field, renderPage } from './render.js';

type Outcome =
  | { ok: true }
  | { ok: false; status: number; message: string; result: 'failure' | 'throttled' };

const WRONG = 'Wrong password.';
const THROTTLED = 'Too many failed sign-ins. Wait a few minutes and try again.';
const DEFAULT_ACTION = 'continue with a sensitive action';

export function registerConfirmIdentityRoutes(app: FastifyInstance, ctx: WebContext): void {
  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    view: { session: Session; identity: RemoteIdentity; next: string },
    extra: { error?: string; status?: number } = {},
  ) =>
    renderPage(
      ctx,
      request,
      reply,
      { title: 'Confirm your identity', nav: true, error: extra.error },
      (csrf) =>
        confirmIdentityBody({
          csrf,
          identity: view.identity,
          action: view.session.reauthFor ?? DEFAULT_ACTION,
          next: view.next,
          period: periodText(ctx.limits.reauthMs),
        }),
      extra.status,
    );

  app.get('/confirm-identity', async (request, reply) => {
    const next = safeNext((request.query as Record<string, unknown> | undefined)?.next);
    const state = stateOf(ctx, request);
    // Loopback users are never asked; a session without a remote identity signs in first.
    if (state.local) return reply.redirect(next, 303);
    const session = state.session;
    if (!session?.remote) return reply.redirect('/remote-login', 303);
    return show(request, reply, { session, identity: session.remote, next });
  });

  app.post('/confirm-identity', async (request, reply) => {
    const next = safeNext((request.body as Record<string, unknown> | undefined)?.next);
    const state = stateOf(ctx, request);
    if (state.local) return reply.redirect(next, 303);
    const session = state.session;
    if (!session?.remote) return reply.redirect('/remote-login', 303);
    const identity = session.remote;
    const started = Date.now();
    const outcome = await checkSameIdentity(ctx, identity, field(request, 'password'), state.peer);
    await ctx.audit.record({
      screen: 'confirm-identity',
      user: identity.user,
      method: identity.method,
      peer: state.peer,
      listener: state.listener,
      result: outcome.ok ? 'success' : outcome.result,
      detail: `to ${session.reauthFor ?? DEFAULT_ACTION}`,
    });
    if (outcome.ok) {
      ctx.throttle.recordSuccess(identity.user);
      proven(ctx, request, reply, identity, session.pendingSwitch);
      return reply.redirect(next, 303);
    }
    if (outcome.result !== 'throttled') ctx.throttle.recordFailure(identity.user, state.peer);
    await delayUntil(started, ctx.limits.failureDelayMs);
    return show(
      request,
      reply,
      { session, identity, next },
      { error: outcome.message, status: outcome.status },
    );
  });
}

/** The password of the identity signed in, checked the way screen 1 checked it. */
async function checkSameIdentity(
  ctx: WebContext,
  identity: RemoteIdentity,
  password: string,
  peer: string,
): Promise<Outcome> {
  if (ctx.throttle.isBlocked(identity.user, peer)) {
    return { ok: false, status: 429, result: 'throttled', message: THROTTLED };
  }
  const ok = password !== '' && (await passwordMatches(ctx, identity, password, peer));
  return ok ? { ok: true } : { ok: false, status: 401, result: 'failure', message: WRONG };
}

async function passwordMatches(
  ctx: WebContext,
  identity: RemoteIdentity,
  password: string,
  peer: string,
): Promise<boolean> {
  if (identity.method === 'os') {
    return ctx.deps.pam.check(identity.user, password, peer).catch(() => false);
  }
  // Only while the account signed in with is still the linked one.
  const linked = await ctx.deps.linkedAccount();
  if (!linked || linked.email.trim().toLowerCase() !== identity.user.trim().toLowerCase()) {
    return false;
  }
  return ctx.deps.verifyCloud(identity.user, password).catch(() => false);
}

/**
 * A fresh proof: a new session id (the raised trust is not carried by an id that
 * existed before it), the pending account switch kept, and a notice for the form.
 */
function proven(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  identity: RemoteIdentity,
  pendingSwitch: Session['pendingSwitch'],
): void {
  const session = startSession(ctx, request, reply, identity, ctx.now());
  session.pendingSwitch = pendingSwitch;
  session.flash = { notice: 'Identity confirmed. Submit the form again.' };
}
