/**
 * The update page: shows the available release with its notes and installs it on
 * request. Installing restarts the service, so remote users confirm their identity
 * first (as for logout). A print running makes it wait, said so on the page.
 */
import type { FastifyInstance } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { flash, stateOf, type WebContext } from '../context.js';
import { requireFreshIdentity } from '../reauth.js';
import { updateBody, updateInProgress, updatesOffBody } from '../views/update.js';
import { checkbox, isReady, renderPage } from './render.js';

export function registerUpdateRoutes(app: FastifyInstance, ctx: WebContext): void {
  const updates = ctx.deps.updates;
  if (!updates) {
    app.get('/update', async (request, reply) => {
      if (!isReady(ctx)) return reply.redirect('/login', 303);
      return renderPage(ctx, request, reply, { title: 'Update', nav: true }, () =>
        updatesOffBody(),
      );
    });
    return;
  }

  app.get('/update', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const status = updates.status();
    if (updateInProgress(status)) reply.header('refresh', '3');
    return renderPage(ctx, request, reply, { title: 'Update', nav: true }, (csrf) =>
      updateBody(status, csrf),
    );
  });

  app.post('/update/check', async (_request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    await updates.check();
    return reply.redirect('/update', 303);
  });

  app.post('/update/apply', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const refused = requireFreshIdentity(ctx, request, reply, {
      action: 'update printos and restart the client service',
      back: '/update',
    });
    if (refused) return refused;
    const whenIdle = checkbox(request, 'when_idle');
    const state = stateOf(ctx, request);
    try {
      await updates.apply({ whenIdle });
    } catch (err) {
      if (!(err instanceof PrintosError)) throw err;
      flash(ctx, request, { error: err.message });
      return reply.redirect('/update', 303);
    }
    await ctx.audit.record({
      screen: 'update',
      user: state.session?.remote?.user ?? (state.local ? 'local user' : ''),
      peer: state.peer,
      listener: state.listener,
      result: 'success',
      detail: whenIdle ? 'update requested when idle' : 'update started',
    });
    return reply.redirect('/update', 303);
  });
}
