/**
 * Screen 1, remote access: every peer that is not loopback signs in here first, with
 * this device's OS account (PAM) or the linked cloud account's email and password (and
 * only that account). Each remote user gets a session of their own; the linked account
 * is never touched. Failures are throttled per account and per peer, answered after the
 * same delay whatever the cause, and audited.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endSession, startSession, stateOf, type WebContext } from '../context.js';
import type { RemoteIdentity } from '../sessions.js';
import { routeFlags } from '../security.js';
import { remoteLoginBody } from '../views/screens.js';
import { delayUntil, field, renderPage } from './render.js';

type Outcome =
  | { ok: true; identity: RemoteIdentity }
  | { ok: false; status: number; message: string; result: 'failure' | 'refused' | 'throttled' };

const WRONG = 'Wrong user name or password.';

export function registerAccessRoutes(app: FastifyInstance, ctx: WebContext): void {
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; user?: string; status?: number } = {},
  ) => {
    const linked = await ctx.deps.linkedAccount();
    return renderPage(
      ctx,
      request,
      reply,
      { title: 'Remote access', error: extra.error },
      (csrf) =>
        remoteLoginBody({
          csrf,
          linkedEmail: linked?.email ?? null,
          ...(extra.user ? { user: extra.user } : {}),
        }),
      extra.status,
    );
  };

  app.get('/remote-login', { config: routeFlags({ public: true }) }, async (request, reply) => {
    const state = stateOf(ctx, request);
    if (state.local || state.session?.remote) return reply.redirect('/', 303);
    return show(request, reply);
  });

  app.post('/remote-login', { config: routeFlags({ public: true }) }, async (request, reply) => {
    const state = stateOf(ctx, request);
    if (state.local) return reply.redirect('/', 303);
    const started = Date.now();
    const user = field(request, 'user', 254).trim();
    const outcome = await checkRemote(ctx, user, field(request, 'password'), state.peer);
    await ctx.audit.record({
      screen: 'remote-access',
      user,
      ...(outcome.ok ? { method: outcome.identity.method } : {}),
      peer: state.peer,
      listener: state.listener,
      result: outcome.ok ? 'success' : outcome.result,
    });
    if (outcome.ok) {
      ctx.throttle.recordSuccess(user);
      startSession(ctx, request, reply, outcome.identity);
      return reply.redirect('/', 303);
    }
    if (outcome.result !== 'throttled') ctx.throttle.recordFailure(user, state.peer);
    await delayUntil(started, ctx.limits.failureDelayMs);
    return show(request, reply, { error: outcome.message, user, status: outcome.status });
  });

  app.post('/remote-logout', async (request, reply) => {
    endSession(ctx, request, reply);
    return reply.redirect(stateOf(ctx, request).local ? '/' : '/remote-login', 303);
  });
}

async function checkRemote(
  ctx: WebContext,
  user: string,
  password: string,
  peer: string,
): Promise<Outcome> {
  if (ctx.throttle.isBlocked(user, peer)) {
    return {
      ok: false,
      status: 429,
      result: 'throttled',
      message: 'Too many failed sign-ins. Wait a few minutes and try again.',
    };
  }
  if (user === '' || password === '')
    return { ok: false, status: 401, result: 'failure', message: WRONG };
  if (user.includes('@')) return checkCloud(ctx, user, password);
  const ok = await ctx.deps.pam.check(user, password, peer).catch(() => false);
  return ok
    ? { ok: true, identity: { method: 'os', user } }
    : { ok: false, status: 401, result: 'failure', message: WRONG };
}

/** Only the linked account's credentials; another account is told which one is accepted. */
async function checkCloud(ctx: WebContext, email: string, password: string): Promise<Outcome> {
  const linked = await ctx.deps.linkedAccount();
  if (!linked) {
    return {
      ok: false,
      status: 403,
      result: 'refused',
      message:
        "This client is not linked to a cloud account, so no cloud account is accepted here. Sign in with this device's OS account (the SSH user name and password).",
    };
  }
  if (linked.email.trim().toLowerCase() !== email.toLowerCase()) {
    return {
      ok: false,
      status: 403,
      result: 'refused',
      message: `Only the cloud account this client is linked to (${linked.email}) is accepted here, not ${email}. Other users sign in with this device's OS account.`,
    };
  }
  const ok = await ctx.deps.verifyCloud(email, password).catch(() => false);
  return ok
    ? { ok: true, identity: { method: 'cloud', user: linked.email } }
    : { ok: false, status: 401, result: 'failure', message: WRONG };
}
