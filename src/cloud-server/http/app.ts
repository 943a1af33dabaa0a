/**
 * The cloud's HTTP server: security headers on every answer, then four groups of
 * routes, each with its own error handler: the StreamerAPI (protocol errors), files (job
 * downloads, releases) and the JSON API (`{error:{code,message}}`), and the pages (HTML).
 */
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { messagePage } from '../views/auth.js';
import { registerApi } from './api.js';
import type { CloudContext } from './context.js';
import { registerDownload } from './download.js';
import { httpStatus, toHttpError } from './errors.js';
import { registerPages } from './pages.js';
import { registerReleases } from './releases.js';
import { registerStreamerApi } from './streamer.js';

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export async function buildHttp(ctx: CloudContext): Promise<FastifyInstance> {
  const app = Fastify({
    // Our own logger only: fastify's request logs would carry reset tokens and link signatures.
    logger: false,
    bodyLimit: ctx.limits.jsonBytes,
    trustProxy: false,
    return503OnClosing: true,
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
  await app.register(fastifyCookie);
  await app.register(async (streamer) => {
    await streamer.register(fastifyMultipart);
    registerStreamerApi(streamer, ctx);
  });
  await app.register(async (files) => {
    files.setErrorHandler((err, _request, reply) => sendJsonError(err, ctx.log, reply));
    registerDownload(files, ctx);
    registerReleases(files, ctx);
  });
  await app.register(async (api) => {
    await api.register(fastifyMultipart);
    api.setErrorHandler((err, _request, reply) => sendJsonError(err, ctx.log, reply));
    registerApi(api, ctx);
  });
  await app.register(async (pages) => registerPages(pages, ctx));
  app.setNotFoundHandler((request, reply) => {
    if (/^\/(api|streamerapi|releases)\//.test(request.url)) {
      return sendJsonError(new PrintosError('NOT_FOUND', 'No such endpoint.'), ctx.log, reply);
    }
    const page = messagePage('Not found', 'There is no such page.');
    return reply.code(404).type('text/html; charset=utf-8').send(page);
  });
  return app;
}

export function sendJsonError(
  err: unknown,
  log: { error: (obj: object, msg: string) => void },
  reply: FastifyReply,
): FastifyReply {
  const error = toHttpError(err);
  if (error.code === 'INTERNAL') log.error({ err }, 'request failed');
  return reply
    .code(httpStatus(err, error))
    .send({ error: { code: error.code, message: error.message } });
}
