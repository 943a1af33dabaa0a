/** Add a printer (a detected port or a path typed in) and remove one (confirmed). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError, toPrintosError } from '../../core/errors.js';
import { matchProfiles } from '../../printer/profiles.js';
import { STANDARD_BAUD_RATES } from '../../service/printers-list.js';
import { flash, type WebContext } from '../context.js';
import { askReauth, needsReauth } from '../reauth.js';
import { addPrinterBody, type DetectedPort } from '../views/add-printer.js';
import { removeBody } from '../views/printers.js';
import { printerId } from './printers.js';
import { field, isReady, renderPage } from './render.js';

type WithId = { Params: { id: string } };

export function registerAddPrinterRoutes(app: FastifyInstance, ctx: WebContext): void {
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      error?: string;
      status?: number;
      manual?: { port: string; baud: string; name: string };
    } = {},
  ) => {
    const { ports, error } = await detectedPorts(ctx);
    return renderPage(
      ctx,
      request,
      reply,
      { title: 'Add a printer', nav: true, error: extra.error },
      (csrf) =>
        addPrinterBody({
          csrf,
          ports,
          portsError: error,
          bauds: STANDARD_BAUD_RATES,
          ...(extra.manual ? { manual: extra.manual } : {}),
        }),
      extra.status,
    );
  };

  app.get('/printers/add', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    return show(request, reply);
  });

  app.post('/printers/add', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const manual = {
      port: field(request, 'port', 256).trim(),
      baud: field(request, 'baud', 10),
      name: field(request, 'name', 64).trim(),
    };
    try {
      const entry = await ctx.deps.printers.add({
        port: manual.port,
        ...(manual.baud === '' ? {} : { baud: Number(manual.baud) }),
        ...(manual.name === '' ? {} : { name: manual.name }),
      });
      await ctx.deps.service.reloadPrinters();
      flash(ctx, request, { notice: `Added the printer on ${entry.port}.` });
      return reply.redirect('/', 303);
    } catch (err) {
      const error = toPrintosError(err);
      if (error.code === 'INTERNAL') throw err;
      return show(request, reply, { error: error.message, status: error.status, manual });
    }
  });

  app.get<WithId>('/printers/:id/remove', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const printer = await removable(ctx, printerId(request));
    return renderPage(ctx, request, reply, { title: 'Remove a printer', nav: true }, (csrf) =>
      removeBody(printer, csrf),
    );
  });

  app.post<WithId>('/printers/:id/remove', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const id = printerId(request);
    if (needsReauth(ctx, request)) {
      return askReauth(ctx, request, reply, {
        action: `remove the printer ${await printerLabel(ctx, id)}`,
        back: `/printers/${id}/remove`,
      });
    }
    try {
      const entry = await ctx.deps.printers.remove(id);
      await ctx.deps.service.reloadPrinters();
      flash(ctx, request, { notice: `Removed ${entry.name ?? `the printer on ${entry.port}`}.` });
    } catch (err) {
      const error = toPrintosError(err);
      if (error.code === 'INTERNAL') throw err;
      flash(ctx, request, {
        error:
          error.code === 'NOT_FOUND'
            ? 'This printer is not in the printers list (a virtual printer lasts as long as the run that added it).'
            : error.message,
      });
    }
    return reply.redirect('/', 303);
  });
}

interface Removable {
  id: string;
  name: string;
  port: string;
  job: string | null;
}

/**
 * The printer to remove: the running one, or else its entry in the printers list (it may
 * be configured but not running, e.g. its port is missing).
 */
async function removable(ctx: WebContext, id: string): Promise<Removable> {
  try {
    const printer = ctx.deps.service.printer(id);
    const port = typeof printer.identity.COM === 'string' ? printer.identity.COM : '';
    return {
      id: printer.key,
      name: printer.name,
      port,
      job: printer.snapshot().job?.filename ?? null,
    };
  } catch (err) {
    if (!(err instanceof PrintosError && err.code === 'NOT_FOUND')) throw err;
  }
  const entry = (await ctx.deps.printers.list()).find((e) => e.id === id);
  if (!entry) throw new PrintosError('NOT_FOUND', `No printer with id ${id}.`);
  return { id: entry.id, name: entry.name ?? entry.id, port: entry.port, job: null };
}

/** How the re-authentication page names the printer. */
async function printerLabel(ctx: WebContext, id: string): Promise<string> {
  return removable(ctx, id).then(
    (p) => p.name,
    () => id,
  );
}

async function detectedPorts(ctx: WebContext): Promise<{ ports: DetectedPort[]; error?: string }> {
  try {
    const [ports, configured] = await Promise.all([ctx.deps.listPorts(), ctx.deps.printers.list()]);
    return {
      ports: ports.map((port) => ({
        path: port.path,
        vid: port.vid,
        pid: port.pid,
        serialNumber: port.serialNumber,
        description: [port.manufacturer, port.product].filter(Boolean).join(' '),
        profiles: matchProfiles(port.vid, port.pid).map((p) => p.name),
        configuredAs: configured.find((entry) => entry.port === port.path)?.id,
      })),
    };
  } catch (err) {
    const error = err instanceof PrintosError ? err.message : 'The serial ports cannot be listed.';
    return { ports: [], error };
  }
}
