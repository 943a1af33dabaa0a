/**
 * The one error handler of the web interface: a PrintosError's message and status, as a
 * page (or JSON under /ui/). Fastify's own errors (body too large, unknown encoding, bad
 * syntax) get a short message; anything unexpected is logged and answered without details.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { messagePage } from './views/layout.js';

export function toWebError(err: unknown): PrintosError {
  if (err instanceof PrintosError) return err;
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 413) return new PrintosError('PAYLOAD_TOO_LARGE', 'The request is too large.');
  if (status === 415) {
    return new PrintosError('FORBIDDEN', 'Only the forms of these pages are accepted.');
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new PrintosError('INVALID_ARGUMENT', 'The request is not valid.');
  }
  return new PrintosError('INTERNAL', 'Internal error; see the service log.', undefined, err);
}

export function sendWebError(
  log: Logger,
  request: FastifyRequest,
  reply: FastifyReply,
  err: unknown,
): FastifyReply {
  const error = toWebError(err);
  if (error.code === 'INTERNAL') log.error({ err, url: request.url }, 'web request failed');
  const status = (err as { statusCode?: number }).statusCode === 415 ? 415 : error.status;
  if (request.url.startsWith('/ui/')) {
    return reply.code(status).send({ error: { code: error.code, message: error.message } });
  }
  const title = status === 404 ? 'Not found' : status === 403 ? 'Refused' : 'Something went wrong';
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .send(messagePage(title, error.message, { href: '/', text: 'Back to the printers' }));
}
