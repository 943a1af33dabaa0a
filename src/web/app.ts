/**
 * One listener's Fastify app: security headers and the access gate on everything, the
 * pages in one encapsulated context (form parsing, CSRF, the page error handler) and, on
 * the loopback listener, the CLI's JSON API in another under /api/.
 */
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';
import { PrintosError } from '../core/errors.js';
import type { ListenerKind, WebContext } from './context.js';
import { sendWebError } from './errors.js';
import { registerAccessRoutes } from './routes/access.js';
import { registerAddPrinterRoutes } from './routes/add-printer.js';
import { registerCloudLoginRoutes } from './routes/cloud-login.js';
import { registerConfirmIdentityRoutes } from './routes/confirm-identity.js';
import { registerLiveRoutes } from './routes/live.js';
import { registerLogoutRoutes } from './routes/logout.js';
import { registerPrinterRoutes } from './routes/printers.js';
import { registerReportRoutes } from './routes/report.js';
import { registerSettingsRoutes } from './routes/settings.js';
import { registerStaticRoutes } from './routes/static.js';
import { registerUpdateRoutes } from './routes/update.js';
import { registerUploadRoute } from './routes/upload.js';
import { gateHook, SECURITY_HEADERS, stateChangeHook } from './security.js';

export interface AppOptions {
  listener: ListenerKind;
  /** The configured port, for the Host check when the socket does not tell (inject). */
  port: () => number;
  https?: { key: string; cert: string };
}

export async function buildApp(ctx: WebContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    // Our own logger only: request logs would carry session cookies.
    logger: false,
    trustProxy: false,
    bodyLimit: ctx.limits.formBytes,
    return503OnClosing: true,
    // Slow clients do not hold sockets for ever (slowloris), yet a 1 GB upload over a slow
    // Wi-Fi fits; Node's headersTimeout (60 s) bounds the headers.
    requestTimeout: 30 * 60_000,
    ...(options.https ? { https: options.https } : {}),
  });
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (!request.url.startsWith('/static/')) reply.header('Cache-Control', 'no-store');
    return payload;
  });
  await app.register(fastifyCookie);
  app.addHook('onRequest', gateHook(ctx, options.listener, options.port));
  app.setErrorHandler((err, request, reply) => sendWebError(ctx.deps.log, request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendWebError(
      ctx.deps.log,
      request,
      reply,
      new PrintosError('NOT_FOUND', 'There is no such page.'),
    ),
  );
  await app.register(async (pages) => registerPages(pages, ctx));
  const registerApi = ctx.deps.registerLocalApi;
  if (options.listener === 'loopback' && registerApi) {
    await app.register(async (api) => registerApi(withoutPrefix(api, '/api')), { prefix: '/api' });
  }
  return app;
}

async function registerPages(app: FastifyInstance, ctx: WebContext): Promise<void> {
  await app.register(fastifyFormbody, { bodyLimit: ctx.limits.formBytes });
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: {
      fileSize: ctx.limits.uploadBytes,
      files: 1,
      fields: 4,
      fieldSize: 1024,
      parts: 5,
      headerPairs: 50,
    },
  });
  app.addHook('preHandler', async (request) => stateChangeHook(ctx, request));
  registerStaticRoutes(app);
  registerAccessRoutes(app, ctx);
  registerConfirmIdentityRoutes(app, ctx);
  registerCloudLoginRoutes(app, ctx);
  registerPrinterRoutes(app, ctx);
  registerUploadRoute(app, ctx);
  registerAddPrinterRoutes(app, ctx);
  registerSettingsRoutes(app, ctx);
  registerLogoutRoutes(app, ctx);
  registerReportRoutes(app, ctx);
  registerUpdateRoutes(app, ctx);
  registerLiveRoutes(app, ctx);
}

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options', 'all']);

/**
 * The CLI's API (service/api.ts) names its routes in full (`/api/status`) and sets its
 * own not-found handler, which Fastify allows once per prefix: registered in a context
 * with the `/api` prefix, its paths are given without it, so `/api/status` stays
 * `/api/status` and its 404 handler covers only `/api/*`.
 */
function withoutPrefix(app: FastifyInstance, prefix: string): FastifyInstance {
  return new Proxy(app, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof property === 'string' && ROUTE_METHODS.has(property)) {
        return (path: unknown, ...rest: unknown[]) =>
          (value as (...args: unknown[]) => unknown).call(target, strip(path, prefix), ...rest);
      }
      return (value as (...args: unknown[]) => unknown).bind(target);
    },
  });
}

function strip(path: unknown, prefix: string): unknown {
  if (typeof path !== 'string' || !path.startsWith(prefix)) return path;
  return path.slice(prefix.length) || '/';
}
