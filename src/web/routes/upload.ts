/**
 * Upload a G-code file and print it (offline or linked). The form's CSRF field comes
 * before the file part (the browser sends parts in form order), so the token is checked
 * before a byte of the file is stored.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PrintosError, toPrintosError } from '../../core/errors.js';
import { flash, type WebContext } from '../context.js';
import { checkCsrf, routeFlags } from '../security.js';
import { storeUpload } from '../uploads.js';
import { printerId } from './printers.js';
import { isReady } from './render.js';

type WithId = { Params: { id: string } };

export function registerUploadRoute(app: FastifyInstance, ctx: WebContext): void {
  app.post<WithId>(
    '/printers/:id/upload',
    { config: routeFlags({ uploadForm: true }) },
    async (request, reply) => {
      if (!isReady(ctx)) return reply.redirect('/login', 303);
      const id = printerId(request);
      const printer = ctx.deps.service.printer(id);
      let stored: { path: string; name: string } | undefined;
      try {
        const snapshot = printer.snapshot();
        if (snapshot.state !== 'ready' || snapshot.job) {
          throw new PrintosError(
            'PRINTER_BUSY',
            `${printer.name} is ${snapshot.job ? 'printing' : snapshot.state}; it cannot start a print now.`,
          );
        }
        stored = await receive(ctx, request);
        await printer.startJob({ path: stored.path, filename: stored.name, deleteAfter: true });
        flash(ctx, request, { notice: `Printing ${stored.name} on ${printer.name}.` });
      } catch (err) {
        if (stored) await rm(stored.path, { force: true });
        const error = toPrintosError(err);
        if (error.code === 'INTERNAL' || error.code === 'FORBIDDEN') throw err;
        flash(ctx, request, { error: error.message });
      }
      return reply.redirect('/', 303);
    },
  );
}

/** The stored upload; a form the parser cannot read is the client's fault, not ours. */
async function receive(ctx: WebContext, request: FastifyRequest) {
  try {
    return await readParts(ctx, request);
  } catch (err) {
    if (err instanceof PrintosError || isSystemError(err)) throw err;
    if ((err as { statusCode?: number }).statusCode === 413) throw err;
    throw new PrintosError('INVALID_ARGUMENT', 'The upload is not a valid form.');
  }
}

/** A file-system or network error (ENOSPC, EACCES, …): ours to log. */
function isSystemError(err: unknown): boolean {
  return /^E[A-Z]+$/.test(String((err as { code?: unknown }).code));
}

async function readParts(ctx: WebContext, request: FastifyRequest) {
  let token: unknown;
  for await (const part of request.parts()) {
    if (part.type === 'field') {
      if (part.fieldname === '_csrf') token = part.value;
      continue;
    }
    checkCsrf(ctx, request, token);
    if (part.fieldname !== 'file')
      throw new PrintosError('INVALID_ARGUMENT', 'Unexpected file field.');
    return storeUpload(join(ctx.deps.paths.root, 'uploads'), part.filename, part.file);
  }
  checkCsrf(ctx, request, token);
  throw new PrintosError('INVALID_ARGUMENT', 'Choose a G-code file to print.');
}
