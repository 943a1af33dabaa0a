/** The signed-in pages: the dashboard and its forms (upload, job and printer actions, tokens). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { listReceivedLogs } from '../services/received-logs.js';
import { jobView, printerView } from '../services/views.js';
import { dashboardPage } from '../views/dashboard.js';
import { receiveJob } from './job-upload.js';
import { field } from './pages-auth.js';
import type { PageTools } from './pages.js';
import type { WebSession } from './sessions.js';

/** Messages shown after a redirect, by key: no text from the query string is ever shown. */
const NOTICES: Record<string, string> = {
  welcome: 'Your account is ready. Log a printos client in with it and its printers appear here.',
  uploaded: 'The job is in the queue.',
  started: 'The job was sent to the printer.',
  busy: 'The job is in the queue; the printer is busy, so start it when the printer is ready.',
  cancelled: 'Cancelled.',
  removed: 'Removed.',
  paused: 'Pause sent to the printer.',
  resumed: 'Resume sent to the printer.',
  renamed: 'Printer renamed.',
};

type IdRequest = FastifyRequest<{ Params: { id: string } }>;

function idOf(request: IdRequest): number {
  const id = Number(request.params.id);
  if (!Number.isInteger(id) || id <= 0) throw new PrintosError('NOT_FOUND', 'No such item.');
  return id;
}

export function registerDashboard(app: FastifyInstance, tools: PageTools): void {
  const { ctx, sessions } = tools;

  const render = (
    request: FastifyRequest,
    reply: FastifyReply,
    session: WebSession,
    extra: { notice?: string; newToken?: string } = {},
  ) => {
    const account = ctx.accounts.account(session.accountId);
    if (!account) throw new PrintosError('UNAUTHORIZED', 'This account no longer exists.');
    const now = ctx.now();
    const page = dashboardPage({
      email: account.email,
      csrf: tools.csrf(request, reply),
      printers: ctx.printers
        .list(account.id)
        .map((p) => printerView(p, ctx.store.jobs.active(p.id), now)),
      jobs: ctx.jobs.list(account.id).map(jobView),
      apiTokens: ctx.store.accounts.apiTokenCount(account.id),
      logs: listReceivedLogs(ctx.store, ctx.paths.logs, { accountId: account.id, limit: 20 }),
      ...extra,
    });
    return reply.type('text/html; charset=utf-8').send(page);
  };

  /** Runs a signed-in form action, then redirects home with a notice. */
  const post = <R extends FastifyRequest>(
    path: string,
    act: (session: WebSession, request: R) => Promise<string> | string,
  ) =>
    app.post(path, async (request, reply) => {
      const session = sessions.current(request);
      if (!session) return reply.redirect('/login', 303);
      const notice = await act(session, request as R);
      return reply.redirect(`/?notice=${notice}`, 303);
    });

  app.get<{ Querystring: { notice?: string } }>('/', async (request, reply) => {
    const session = sessions.current(request);
    if (!session) return reply.redirect('/login', 303);
    const key = request.query.notice;
    return render(request, reply, session, {
      ...(key && NOTICES[key] ? { notice: NOTICES[key] } : {}),
    });
  });

  post('/jobs', async (session, request) => {
    const result = await receiveJob(ctx, request, session.accountId);
    if (result.notStarted) return 'busy';
    return result.started ? 'started' : 'uploaded';
  });
  const actions: [string, (accountId: number, id: number) => unknown, string][] = [
    ['/jobs/:id/start', (a, id) => ctx.jobs.start(a, id), 'started'],
    ['/jobs/:id/cancel', (a, id) => ctx.jobs.cancel(a, id), 'cancelled'],
    ['/jobs/:id/remove', (a, id) => ctx.jobs.remove(a, id), 'removed'],
    ['/printers/:id/pause', (a, id) => ctx.printers.pause(a, id), 'paused'],
    ['/printers/:id/resume', (a, id) => ctx.printers.resume(a, id), 'resumed'],
    ['/printers/:id/cancel', (a, id) => ctx.printers.cancel(a, id), 'cancelled'],
    ['/printers/:id/remove', (a, id) => ctx.printers.remove(a, id), 'removed'],
  ];
  for (const [path, act, notice] of actions) {
    post<IdRequest>(path, async (session, request) => {
      await act(session.accountId, idOf(request));
      return notice;
    });
  }
  post<IdRequest>('/printers/:id/rename', (s, r) => {
    ctx.printers.rename(s.accountId, idOf(r), field(r, 'name', 255));
    return 'renamed';
  });

  app.post('/account/tokens', async (request, reply) => {
    const session = sessions.current(request);
    if (!session) return reply.redirect('/login', 303);
    const token = ctx.accounts.createApiToken(session.accountId, 'web');
    return render(request, reply, session, { newToken: token, notice: 'API token created.' });
  });
}
