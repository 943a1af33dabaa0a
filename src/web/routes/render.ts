/** Helpers the routes share: the page frame of a request, form fields, and the ready test. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formField } from '../../core/form.js';
import { ensureSession, stateOf, takeFlash, type WebContext } from '../context.js';
import type { Html } from '../views/html.js';
import { type Frame, page } from '../views/layout.js';

export function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(body);
}

/** The parts of a page frame that come from the request: CSRF token, remote user, flash. */
export function frameOf(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  frame: Frame,
): Frame & { csrf: string } {
  const session = ensureSession(ctx, request, reply);
  const flash = takeFlash(ctx, request);
  const remote = stateOf(ctx, request).local ? null : session.remote;
  return {
    ...frame,
    csrf: ctx.sessions.csrfToken(session),
    remoteUser: remote
      ? `${remote.user} (${remote.method === 'os' ? 'OS account' : 'cloud account'})`
      : undefined,
    notice: frame.notice ?? flash.notice,
    error: frame.error ?? flash.error,
  };
}

/** Renders a page with the request's frame; `body` receives the CSRF token for its forms. */
export function renderPage(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  frame: Frame,
  body: (csrf: string) => Html,
  status = 200,
): FastifyReply {
  const full = frameOf(ctx, request, reply, frame);
  return sendHtml(reply, status, page(full, body(full.csrf)));
}

/** A text field of the request's form body (core/form.ts). */
export function field(request: FastifyRequest, name: string, max = 1024): string {
  return formField(request.body, name, max);
}

export function checkbox(request: FastifyRequest, name: string): boolean {
  return field(request, name, 10) !== '';
}

/** The client is linked to an account or in offline mode: the printers pages apply. */
export function isReady(ctx: WebContext): boolean {
  return ctx.deps.service.account !== null || ctx.deps.service.offline;
}

/** Waits until `ms` after `since` (every failed login answers after the same delay). */
export async function delayUntil(since: number, ms: number): Promise<void> {
  const left = since + ms - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
}
