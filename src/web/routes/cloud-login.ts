/**
 * Screen 2, the cloud login: any valid cloud account links the client (the service
 * decides, and asks for a confirmation before a switch to another account, which
 * unlinks every printer). Skipped when the client is linked or in offline mode.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { passwordDigest } from '../../streamer-api/index.js';
import { flash, startSession, stateOf, type WebContext } from '../context.js';
import { askReauth, needsReauth } from '../reauth.js';
import type { Session } from '../sessions.js';
import { cloudLoginBody, switchWarningBody } from '../views/screens.js';
import { checkbox, delayUntil, field, isReady, renderPage } from './render.js';

export function registerCloudLoginRoutes(app: FastifyInstance, ctx: WebContext): void {
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { error?: string; email?: string; status?: number } = {},
  ) => {
    const settings = await ctx.deps.settingsStore.load();
    const previous = await ctx.deps.linkedAccount();
    const saved = await (ctx.deps.savedLogin?.() ?? null);
    const site = ctx.deps.cloudSiteUrl;
    return renderPage(
      ctx,
      request,
      reply,
      { title: 'Cloud login', error: extra.error },
      (csrf) =>
        cloudLoginBody({
          csrf,
          cloudName: new URL(site).host,
          signupUrl: new URL('/signup', site).href,
          forgotUrl: new URL('/forgot-password', site).href,
          autologin: settings.autologin,
          previousEmail: previous?.email ?? null,
          autologinEmail: saved && ctx.deps.service.autologinState !== 'failed' ? saved : null,
          ...(extra.email ? { email: extra.email } : {}),
        }),
      extra.status,
    );
  };

  app.get('/login', async (request, reply) => {
    if (isReady(ctx)) return reply.redirect('/', 303);
    return show(request, reply);
  });

  app.post('/login', async (request, reply) => {
    if (isReady(ctx)) return reply.redirect('/', 303);
    const email = field(request, 'email', 254).trim();
    const password = field(request, 'password');
    const autologin = checkbox(request, 'autologin');
    const state = stateOf(ctx, request);
    const started = Date.now();
    const audit = (result: 'success' | 'failure' | 'throttled' | 'error', detail?: string) =>
      ctx.audit.record({
        screen: 'cloud-login',
        user: email,
        method: 'cloud',
        peer: state.peer,
        listener: state.listener,
        result,
        ...(detail ? { detail } : {}),
      });
    if (ctx.throttle.isBlocked(email, state.peer)) {
      await audit('throttled');
      await delayUntil(started, ctx.limits.failureDelayMs);
      return show(request, reply, {
        email,
        status: 429,
        error: 'Too many failed logins. Wait a few minutes and try again.',
      });
    }
    try {
      if (email === '' || password === '') {
        throw new PrintosError('LOGIN_FAILED', 'Enter the email and password of a cloud account.');
      }
      await ctx.deps.service.login(email, password, { autologin, confirmSwitch: false });
    } catch (err) {
      if (err instanceof PrintosError && err.code === 'CONFIRMATION_REQUIRED') {
        return askSwitch(ctx, request, reply, {
          email,
          digest: passwordDigest(password),
          autologin,
        });
      }
      const failure = describeFailure(err);
      await audit(failure.counted ? 'failure' : 'error', failure.message);
      if (failure.counted) ctx.throttle.recordFailure(email, state.peer);
      await delayUntil(started, ctx.limits.failureDelayMs);
      return show(request, reply, { email, status: failure.status, error: failure.message });
    }
    ctx.throttle.recordSuccess(email);
    await audit('success');
    loggedIn(ctx, request, reply, email, false);
    return reply.redirect('/', 303);
  });

  // The warning again, for a user back from the re-authentication page.
  app.get('/login/confirm', async (request, reply) => {
    const pending = stateOf(ctx, request).session?.pendingSwitch;
    if (!pending || pending.until < ctx.now()) {
      return reply.redirect(isReady(ctx) ? '/' : '/login', 303);
    }
    return showSwitch(ctx, request, reply, pending.email);
  });

  app.post('/login/confirm', async (request, reply) => {
    const session = stateOf(ctx, request).session as Session;
    const pending = session.pendingSwitch;
    session.pendingSwitch = null;
    if (field(request, 'action', 20) !== 'confirm') return reply.redirect('/', 303);
    if (!pending || pending.until < ctx.now()) {
      flash(ctx, request, { error: 'The confirmation expired; log in again.' });
      return reply.redirect('/login', 303);
    }
    if (needsReauth(ctx, request)) {
      // Kept for the return from the re-authentication page (it still expires).
      session.pendingSwitch = pending;
      return askReauth(ctx, request, reply, {
        action: `switch the cloud account to ${pending.email}, unlinking every printer`,
        back: '/login/confirm',
      });
    }
    const state = stateOf(ctx, request);
    const previous = ctx.deps.service.account?.email ?? (await ctx.deps.linkedAccount())?.email;
    const record = (result: 'success' | 'failure' | 'error', detail: string) =>
      ctx.audit.record({
        screen: 'cloud-login',
        user: pending.email,
        method: 'cloud',
        peer: state.peer,
        listener: state.listener,
        result,
        detail,
      });
    try {
      await ctx.deps.service.loginWithDigest(pending.email, pending.digest, {
        autologin: pending.autologin,
        confirmSwitch: true,
      });
    } catch (err) {
      const failure = describeFailure(err);
      await record(failure.counted ? 'failure' : 'error', failure.message);
      if (failure.counted) ctx.throttle.recordFailure(pending.email, state.peer);
      flash(ctx, request, { error: failure.message });
      return reply.redirect(isReady(ctx) ? '/' : '/login', 303);
    }
    await record('success', `account switched from ${previous ?? 'none'}`);
    loggedIn(ctx, request, reply, pending.email, true);
    return reply.redirect('/', 303);
  });

  app.post('/offline', async (request, reply) => {
    if (!isReady(ctx)) await ctx.deps.service.enterOffline();
    flash(ctx, request, { notice: 'Offline mode: the printers work without the cloud.' });
    return reply.redirect('/', 303);
  });
}

async function askSwitch(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  pending: { email: string; digest: string; autologin: boolean },
): Promise<FastifyReply> {
  const session = stateOf(ctx, request).session as Session;
  session.pendingSwitch = { ...pending, until: ctx.now() + ctx.limits.pendingSwitchMs };
  return showSwitch(ctx, request, reply, pending.email);
}

async function showSwitch(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  email: string,
): Promise<FastifyReply> {
  const previous = (await ctx.deps.linkedAccount())?.email ?? 'another account';
  const printers = ctx.deps.service.printers().map((p) => p.name);
  return renderPage(ctx, request, reply, { title: 'Switch account' }, (csrf) =>
    switchWarningBody({ csrf, previous, next: email, printers }),
  );
}

/** A new session id at every login; an account switch ends every other session. */
function loggedIn(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  email: string,
  switched: boolean,
): void {
  const current = stateOf(ctx, request).session;
  // A cloud login proves nothing about the remote user: the time of their last proof stays.
  const session = startSession(
    ctx,
    request,
    reply,
    current?.remote ?? null,
    current?.provenAt ?? null,
  );
  if (switched) ctx.sessions.revokeAll(session);
  session.flash = {
    notice: switched
      ? `Linked to ${email}. Every printer was unlinked from the previous account and registers anew under this one.`
      : `Linked to ${email}.`,
  };
}

function describeFailure(err: unknown): { status: number; message: string; counted: boolean } {
  if (err instanceof PrintosError && err.code === 'LOGIN_FAILED') {
    return {
      status: 401,
      counted: true,
      message: err.details?.badCredentials
        ? 'The cloud refused this email and password.'
        : err.message,
    };
  }
  if (err instanceof PrintosError && err.code !== 'INTERNAL') {
    return { status: err.status, counted: false, message: err.message };
  }
  throw err;
}
