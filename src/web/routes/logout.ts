/**
 * Logout: a confirmation naming the printers that disconnect and the prints that are
 * interrupted; then the service logs out and stops. From offline mode it only leaves
 * offline mode. Every session ends with the service.
 */
import type { FastifyInstance } from 'fastify';
import { endSession, flash, stateOf, type WebContext } from '../context.js';
import { requireFreshIdentity } from '../reauth.js';
import { page } from '../views/layout.js';
import { leaveOfflineBody, logoutBody, stoppedBody } from '../views/logout.js';
import { isReady, renderPage, sendHtml } from './render.js';

export function registerLogoutRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/logout', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const { service } = ctx.deps;
    if (service.offline) {
      return renderPage(ctx, request, reply, { title: 'Leave offline mode', nav: true }, (csrf) =>
        leaveOfflineBody(csrf),
      );
    }
    const printers = service.printers();
    const prints = printers.flatMap((p) => {
      const job = p.snapshot().job;
      return job ? [`${p.name}: ${job.filename}`] : [];
    });
    return renderPage(ctx, request, reply, { title: 'Log out', nav: true }, (csrf) =>
      logoutBody({
        csrf,
        account: service.account?.email ?? '',
        printers: printers.map((p) => p.name),
        prints,
      }),
    );
  });

  app.post('/logout', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    // Stopping the service is a system command; leaving offline mode is not.
    if (!ctx.deps.service.offline) {
      const refused = requireFreshIdentity(ctx, request, reply, {
        action: 'log out and stop the client service',
        back: '/logout',
      });
      if (refused) return refused;
    }
    const state = stateOf(ctx, request);
    const account = ctx.deps.service.account?.email ?? '(offline mode)';
    const result = await ctx.deps.service.logout();
    await ctx.audit.record({
      screen: 'logout',
      user: account,
      peer: state.peer,
      listener: state.listener,
      result: 'success',
      detail: result.stopping ? 'logged out; the service stops' : 'left offline mode',
    });
    if (!result.stopping) {
      flash(ctx, request, { notice: 'Offline mode is off.' });
      return reply.redirect('/login', 303);
    }
    ctx.sessions.revokeAll();
    endSession(ctx, request, reply);
    return sendHtml(reply, 200, page({ title: 'Logged out' }, stoppedBody(result.interruptedJobs)));
  });
}
