/** The stylesheet and the printers list's script: the only files served. */
import type { FastifyInstance } from 'fastify';
import { liveScriptSource } from '../client/live.js';
import { routeFlags } from '../security.js';
import { STYLE_CSS } from '../views/style.js';

export function registerStaticRoutes(app: FastifyInstance): void {
  const script = liveScriptSource();
  app.get('/static/style.css', { config: routeFlags({ public: true }) }, async (_request, reply) =>
    reply
      .type('text/css; charset=utf-8')
      .header('Cache-Control', 'public, max-age=3600')
      .send(STYLE_CSS),
  );
  // Browsers ask for it on every site; no icon, and no 404 in their consoles.
  app.get('/favicon.ico', { config: routeFlags({ public: true }) }, async (_request, reply) =>
    reply.code(204).header('Cache-Control', 'public, max-age=86400').send(),
  );
  app.get('/static/live.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('Cache-Control', 'no-cache').send(script),
  );
}
