/**
 * "Report a problem": the user's words and the service log, as a bundle, to the linked
 * cloud account (protocol doc §1.12, sendlogs). Every signed-in user may send one (a
 * remote user passed screen 1); throttled per peer and overall, since each report zips
 * up to 20 MB of log and uploads it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toPrintosError } from '../../core/errors.js';
import { flash, stateOf, type WebContext } from '../context.js';
import { LoginThrottle } from '../throttle.js';
import { reportBody } from '../views/report.js';
import { field, isReady, renderPage } from './render.js';

/** The same bound as the CLI's `printos logs send` (service/api.ts). */
export const MAX_REPORT_LENGTH = 10_000;
const REPORTS_PER_PEER = 5;
const REPORTS_OVERALL = 20;
const REPORT_WINDOW_MS = 15 * 60 * 1000;
/** The throttle's account key: every report counts against one overall budget. */
const ALL_REPORTS = 'report';

export function registerReportRoutes(app: FastifyInstance, ctx: WebContext): void {
  // Counts sends, not failures: the login throttle's sliding window serves both.
  const throttle = new LoginThrottle(
    { perAccount: REPORTS_OVERALL, perPeer: REPORTS_PER_PEER, windowMs: REPORT_WINDOW_MS },
    ctx.now,
  );

  const show = (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { text?: string; error?: string; status?: number } = {},
  ) =>
    renderPage(
      ctx,
      request,
      reply,
      { title: 'Report a problem', nav: isReady(ctx), error: extra.error },
      (csrf) =>
        reportBody({
          csrf,
          account: ctx.deps.service.account?.email ?? null,
          text: extra.text ?? '',
          available: ctx.deps.sendReport !== undefined,
          maxLength: MAX_REPORT_LENGTH,
        }),
      extra.status,
    );

  app.get('/report', async (request, reply) => show(request, reply));

  app.post('/report', async (request, reply) => {
    const text = field(request, 'report', MAX_REPORT_LENGTH).trim();
    const send = ctx.deps.sendReport;
    if (!send) {
      return show(request, reply, { text, error: 'This run cannot send reports.', status: 503 });
    }
    if (text === '') return show(request, reply, { error: 'Say what happened.', status: 400 });
    const { peer } = stateOf(ctx, request);
    if (throttle.isBlocked(ALL_REPORTS, peer)) {
      const minutes = Math.ceil(REPORT_WINDOW_MS / 60_000);
      return show(request, reply, {
        text,
        error: `Too many reports in a short time. Try again within ${minutes} minutes.`,
        status: 429,
      });
    }
    throttle.recordFailure(ALL_REPORTS, peer);
    try {
      await send(text);
    } catch (err) {
      const error = toPrintosError(err);
      if (error.code === 'INTERNAL') ctx.deps.log.error({ err }, 'problem report failed');
      // Not linked: the page's note says where reports go and what to do.
      const why =
        error.code === 'NOT_LINKED'
          ? 'this client is not linked to a cloud account.'
          : error.message;
      const message = `The report was not sent: ${why}`;
      return show(request, reply, { text, error: message, status: error.status });
    }
    const account = ctx.deps.service.account?.email;
    flash(ctx, request, {
      notice: `Thank you: the report and the client's log (secrets masked) were sent${account ? ` to the cloud account ${account}` : ''}.`,
    });
    return reply.redirect('/report', 303);
  });
}
