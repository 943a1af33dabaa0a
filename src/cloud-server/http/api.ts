/**
 * The JSON API for scripts. Authentication: `Authorization: Bearer <token>`, where the
 * token is an API token (made on the account page or by `printos cloud token`) or a
 * user_token from /streamerapi/user_login. No cookies, so no CSRF surface.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { jobView, printerView } from '../services/views.js';
import type { CloudContext } from './context.js';
import { receiveJob } from './job-upload.js';

interface IdParams {
  Params: { id: string };
}

function bearerAccount(ctx: CloudContext, request: FastifyRequest): number {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S{16,512})\s*$/i.exec(header);
  const account = match ? ctx.accounts.bearerAccount(match[1] as string) : undefined;
  if (account === undefined) {
    throw new PrintosError(
      'UNAUTHORIZED',
      'Send a valid API token: Authorization: Bearer <token>.',
    );
  }
  return account;
}

function idOf(request: FastifyRequest<IdParams>): number {
  const id = Number(request.params.id);
  if (!Number.isInteger(id) || id <= 0) throw new PrintosError('NOT_FOUND', 'No such id.');
  return id;
}

export function registerApi(app: FastifyInstance, ctx: CloudContext): void {
  app.get('/api/printers', async (request) => {
    const account = bearerAccount(ctx, request);
    const now = ctx.now();
    const printers = ctx.printers
      .list(account)
      .map((p) => printerView(p, ctx.store.jobs.active(p.id), now));
    return { printers };
  });

  app.get('/api/jobs', async (request) => {
    const account = bearerAccount(ctx, request);
    return { jobs: ctx.jobs.list(account).map(jobView) };
  });

  app.post('/api/jobs', async (request, reply) => {
    const account = bearerAccount(ctx, request);
    const result = await receiveJob(ctx, request, account);
    return reply.code(201).send({
      job: jobView(result.job),
      started: result.started,
      ...(result.notStarted ? { not_started: result.notStarted } : {}),
    });
  });

  app.post<IdParams>('/api/jobs/:id/start', async (request) => {
    const account = bearerAccount(ctx, request);
    return { job: jobView(ctx.jobs.start(account, idOf(request))) };
  });

  app.post<IdParams>('/api/jobs/:id/cancel', async (request) => {
    const account = bearerAccount(ctx, request);
    return { job: jobView(ctx.jobs.cancel(account, idOf(request))) };
  });

  app.delete<IdParams>('/api/jobs/:id', async (request, reply) => {
    const account = bearerAccount(ctx, request);
    await ctx.jobs.remove(account, idOf(request));
    return reply.code(204).send();
  });

  const printerAction = (name: 'pause' | 'resume' | 'cancel') =>
    app.post<IdParams>(`/api/printers/:id/${name}`, async (request, reply) => {
      const account = bearerAccount(ctx, request);
      ctx.printers[name](account, idOf(request));
      return reply.code(202).send({ queued: true });
    });
  printerAction('pause');
  printerAction('resume');
  printerAction('cancel');

  app.patch<IdParams & { Body: { name?: unknown } }>('/api/printers/:id', async (request) => {
    const account = bearerAccount(ctx, request);
    const name = request.body?.name;
    if (typeof name !== 'string') throw new PrintosError('INVALID_ARGUMENT', 'Send {"name": "…"}.');
    const printer = ctx.printers.rename(account, idOf(request), name);
    return { printer: printerView(printer, ctx.store.jobs.active(printer.id), ctx.now()) };
  });

  app.delete<IdParams>('/api/printers/:id', async (request, reply) => {
    const account = bearerAccount(ctx, request);
    ctx.printers.remove(account, idOf(request));
    return reply.code(204).send();
  });
}
