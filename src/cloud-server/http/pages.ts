/**
 * The pages for people: server-rendered HTML that works without JavaScript. Every POST
 * passes an Origin / Sec-Fetch-Site check and a CSRF token bound to the session (or to
 * "anonymous" before login); see pages-auth.ts and pages-dashboard.ts for the routes.
 */
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { hmacHex } from '../crypto.js';
import { messagePage } from '../views/auth.js';
import { STYLE_CSS } from '../views/style.js';
import type { CloudContext } from './context.js';
import { httpStatus, toHttpError } from './errors.js';
import { registerAuthPages } from './pages-auth.js';
import { registerDashboard } from './pages-dashboard.js';
import { WebSessions } from './sessions.js';

export interface PageTools {
  ctx: CloudContext;
  sessions: WebSessions;
  /** A CSRF token for the forms of the page answering `request`. */
  csrf(request: FastifyRequest, reply: FastifyReply): string;
}

const ANONYMOUS = 'anonymous';

export async function registerPages(app: FastifyInstance, ctx: CloudContext): Promise<void> {
  const sessions = new WebSessions(ctx);
  const userInfo = (request: FastifyRequest) => sessions.current(request)?.idHash ?? ANONYMOUS;
  await app.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
  await app.register(fastifyMultipart);
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'printos_csrf',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true, secure: ctx.secureCookies },
    getUserInfo: userInfo,
    getToken: (request) =>
      (request.body as { _csrf?: string } | undefined)?._csrf ??
      (request.query as { _csrf?: string } | undefined)?._csrf,
    csrfOpts: { hmacKey: hmacHex(ctx.secret, 'csrf'), userInfo: true },
  });
  app.addHook('preHandler', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (request.method === 'POST') checkOrigin(request);
  });
  // On a missing or wrong token the plugin answers through reply.send(error): renderError.
  app.addHook('preHandler', (request, reply, done) =>
    request.method === 'POST' ? app.csrfProtection(request, reply, done) : done(),
  );
  app.setErrorHandler((err, _request, reply) => renderError(ctx, err, reply));
  app.get('/static/style.css', async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('Cache-Control', 'public, max-age=3600')
      .send(STYLE_CSS),
  );
  const tools: PageTools = {
    ctx,
    sessions,
    csrf: (request, reply) => reply.generateCsrf({ userInfo: userInfo(request) }),
  };
  registerAuthPages(app, tools);
  registerDashboard(app, tools);
}

/**
 * A browser says where a form came from: refuse another site's (the CSRF token is the
 * main defence; this also stops a forged cross-site POST before any work is done).
 */
function checkOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    throw new PrintosError('FORBIDDEN', 'Forms are accepted from this site only.');
  }
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = '';
  }
  if (origin === 'null' || host !== request.headers.host) {
    throw new PrintosError('FORBIDDEN', 'Forms are accepted from this site only.');
  }
}

function renderError(ctx: CloudContext, err: unknown, reply: FastifyReply): FastifyReply {
  const code = (err as { code?: string }).code ?? '';
  const error = code.startsWith('FST_CSRF')
    ? new PrintosError(
        'FORBIDDEN',
        'This form has expired or came from another site. Reload the page and try again.',
      )
    : toHttpError(err);
  if (error.code === 'INTERNAL') ctx.log.error({ err }, 'page failed');
  const status = code.startsWith('FST_CSRF') ? 403 : httpStatus(err, error);
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(messagePage(status === 404 ? 'Not found' : 'Something went wrong', error.message));
}
