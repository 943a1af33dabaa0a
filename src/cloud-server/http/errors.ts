/**
 * Translating failures at the HTTP edge: a PrintosError keeps its code and status; a
 * framework error (bad JSON, too large, wrong content type) becomes the matching code;
 * anything else is INTERNAL with a generic message. No stack trace leaves the server.
 */
import type { FastifyError } from 'fastify';
import { type ErrorCode, PrintosError } from '../../core/errors.js';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  406: 'INVALID_ARGUMENT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'INVALID_ARGUMENT',
  429: 'RATE_LIMITED',
};

export function toHttpError(err: unknown): PrintosError {
  if (err instanceof PrintosError) return err;
  const status = (err as Partial<FastifyError>).statusCode;
  const code = status === undefined ? undefined : BY_STATUS[status];
  if (code) {
    const message =
      code === 'PAYLOAD_TOO_LARGE' ? 'The request is too large.' : publicMessage(err as Error);
    return new PrintosError(code, message);
  }
  return new PrintosError('INTERNAL', 'Internal error; the server log has the details.');
}

/** Framework messages are safe to show for client errors, but keep them short. */
function publicMessage(err: Error): string {
  return (err.message || 'Bad request.').slice(0, 300);
}

/** Status to answer with: the error's own, except that a framework 415 stays 415. */
export function httpStatus(err: unknown, error: PrintosError): number {
  const status = (err as Partial<FastifyError>).statusCode;
  return !(err instanceof PrintosError) && status && status >= 400 && status < 500
    ? status
    : error.status;
}
