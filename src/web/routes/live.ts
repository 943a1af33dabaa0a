/**
 * The printers list's live parts: its state as JSON, and the same as server-sent events
 * (sent when it changes, a comment every 15 s to keep proxies from closing the stream).
 * A stream ends when its remote session is revoked or expires, and at server stop.
 */
import type { FastifyInstance } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { liveState } from '../cards.js';
import { stateOf, type WebContext } from '../context.js';
import { SECURITY_HEADERS } from '../security.js';

const KEEP_ALIVE_MS = 15_000;

export function registerLiveRoutes(app: FastifyInstance, ctx: WebContext): void {
  app.get('/ui/state', async () => liveState(ctx));

  app.get('/ui/events', async (request, reply) => {
    if (ctx.liveStreams.size >= ctx.limits.maxLiveStreams) {
      throw new PrintosError('RATE_LIMITED', 'Too many live views are open; reload later.');
    }
    const state = stateOf(ctx, request);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
    });
    const period = ctx.limits.livePeriodMs;
    let last = '';
    let quietMs = 0;
    let open = true;
    const close = () => {
      if (!open) return;
      open = false;
      clearInterval(timer);
      ctx.liveStreams.delete(close);
      res.end();
    };
    const tick = () => {
      if (!state.local && !(state.session && ctx.sessions.isLive(state.session))) return close();
      const text = JSON.stringify(liveState(ctx));
      quietMs += period;
      if (text !== last) {
        res.write(`event: state\ndata: ${text}\n\n`);
        last = text;
        quietMs = 0;
      } else if (quietMs >= KEEP_ALIVE_MS) {
        res.write(': keep-alive\n\n');
        quietMs = 0;
      }
    };
    const timer = setInterval(tick, period);
    ctx.liveStreams.add(close);
    request.raw.on('close', close);
    tick();
  });
}
