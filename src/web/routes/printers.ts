/** The printers list and the controls of a print: pause, resume, cancel (confirmed), emergency stop. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PrintosError, toPrintosError } from '../../core/errors.js';
import { liveState, type PrinterCard } from '../cards.js';
import { flash, type WebContext } from '../context.js';
import { cancelBody, printersBody } from '../views/printers.js';
import { isReady, renderPage } from './render.js';
import { type Html, html } from '../views/html.js';
import { updateBanner } from '../views/update.js';

type WithId = { Params: { id: string } };

/** The printer id of a route, checked before it reaches the service. */
export function printerId(request: FastifyRequest<WithId>): string {
  const id = request.params.id;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new PrintosError('NOT_FOUND', 'No such printer.');
  return id;
}

export function findCard(ctx: WebContext, id: string): PrinterCard {
  const card = liveState(ctx).printers.find((p) => p.id === id);
  if (!card) throw new PrintosError('NOT_FOUND', `No printer with id ${id}.`);
  return card;
}

export function registerPrinterRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const state = liveState(ctx);
    return renderPage(ctx, request, reply, { title: 'Printers', nav: true, live: true }, (csrf) =>
      printersBody(state, csrf, hostNotices(ctx)),
    );
  });

  app.get<WithId>('/printers/:id/cancel', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const card = findCard(ctx, printerId(request));
    if (!card.job) {
      flash(ctx, request, { error: `${card.name} has no print to cancel.` });
      return reply.redirect('/', 303);
    }
    return renderPage(ctx, request, reply, { title: 'Cancel the print', nav: true }, (csrf) =>
      cancelBody(card, csrf),
    );
  });

  const actions: Record<string, { done: string; act: (id: string) => void }> = {
    pause: { done: 'Pausing', act: (id) => ctx.deps.service.printer(id).pause() },
    resume: { done: 'Resuming', act: (id) => ctx.deps.service.printer(id).resume() },
    cancel: { done: 'Cancelling the print on', act: (id) => ctx.deps.service.printer(id).cancel() },
    'emergency-stop': {
      done: 'Emergency stop sent to',
      act: (id) => ctx.deps.service.printer(id).emergencyStop(),
    },
  };
  for (const [name, action] of Object.entries(actions)) {
    app.post<WithId>(`/printers/:id/${name}`, async (request, reply) => {
      if (!isReady(ctx)) return reply.redirect('/login', 303);
      const id = printerId(request);
      const printer = ctx.deps.service.printer(id);
      try {
        action.act(id);
        flash(ctx, request, { notice: `${action.done} ${printer.name}.` });
      } catch (err) {
        const error = toPrintosError(err);
        if (error.code === 'INTERNAL') throw err;
        flash(ctx, request, { error: error.message });
      }
      return reply.redirect('/', 303);
    });
  }
}

/** Banners about the host: a newer printos, a Raspberry Pi short of power. */
function hostNotices(ctx: WebContext): Html {
  const power = ctx.deps.powerWarning?.() ?? null;
  return html`${updateBanner(ctx.deps.updates?.status() ?? null)}${
    power ? html`<p class="warning" role="alert" id="power-warning">${power}</p>` : ''
  }`;
}
