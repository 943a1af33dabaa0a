/** Add a printer (a detected port or a path typed in) and remove one (confirmed). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError, toPrintosError } from '../../core/errors.js';
import { matchProfiles } from '../../printer/profiles.js';
import { STANDARD_BAUD_RATES } from '../../service/printers-list.js';
import { flash, type WebContext } from '../context.js';
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
    const printer = ctx.deps.service.printer(printerId(request));
    const port = typeof printer.identity.COM === 'string' ? printer.identity.COM : '';
    const job = printer.snapshot().job?.filename ?? null;
    return renderPage(ctx, request, reply, { title: 'Remove a printer', nav: true }, (csrf) =>
      removeBody({ id: printer.key, name: printer.name, port, job }, csrf),
    );
  });

  app.post<WithId>('/printers/:id/remove', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const id = printerId(request);
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
