/**
 * The web server of the client: the loopback listener (127.0.0.1:local.port, HTTP,
 * always; the pages and the CLI's API) and, with external access on, an HTTPS listener
 * on every interface and an HTTP one that redirects to it. Constructor stores, start()
 * listens, stop() closes.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { externalAccess } from '../config/settings.js';
import { PrintosError } from '../core/errors.js';
import { buildApp } from './app.js';
import { createContext, type WebContext } from './context.js';
import { hostAllowed } from './gate.js';
import { readDeviceNames } from './hosts.js';
import { SECURITY_HEADERS } from './security.js';
import { loadTls } from './tls.js';
import type { WebDeps } from './types.js';

export interface WebUrls {
  /** The loopback listener, e.g. http://127.0.0.1:8008 */
  local: string;
  /** The HTTPS listener's URLs (one per name of the machine), when external access is on. */
  external: string[];
}

export interface WebApps {
  loopback: FastifyInstance;
  external?: FastifyInstance;
  redirect?: FastifyInstance;
}

export interface WebServer {
  /** Builds the apps without listening (tests inject requests into them). */
  prepare(): Promise<WebApps>;
  start(): Promise<void>;
  /** Opens the browser at the local URL when web.openBrowser says so (after start). */
  openBrowser(): void;
  stop(): Promise<void>;
  readonly urls: WebUrls;
  readonly context: WebContext;
}

export function createWebServer(deps: WebDeps): WebServer {
  const ctx = createContext(deps);
  const web = deps.settings.web;
  const external = externalAccess(web);
  const host = deps.externalHost ?? '0.0.0.0';
  let apps: WebApps | undefined;
  const urls: WebUrls = { local: '', external: [] };
  const ports = { local: deps.settings.local.port, https: web.httpsPort, http: web.httpPort };

  const prepare = async (): Promise<WebApps> => {
    if (apps) return apps;
    const loopback = await buildApp(ctx, { listener: 'loopback', port: () => ports.local });
    if (!external) {
      apps = { loopback };
      return apps;
    }
    const tls = await loadTls({
      certFile: web.certFile,
      keyFile: web.keyFile,
      dir: deps.paths.root,
      names: readDeviceNames(),
    });
    ctx.status.certificate = `${tls.certFile}${tls.generated ? ' (generated, self-signed)' : ''}`;
    const https = await buildApp(ctx, {
      listener: 'external',
      port: () => ports.https,
      https: { key: tls.key, cert: tls.cert },
    });
    const redirect = buildRedirect(
      ctx,
      () => ports.http,
      () => ports.https,
    );
    apps = { loopback, external: https, redirect };
    return apps;
  };

  return {
    context: ctx,
    urls,
    prepare,
    async start() {
      const built = await prepare();
      try {
        ports.local = await listen(built.loopback, '127.0.0.1', ports.local, 'local.port');
        urls.local = `http://127.0.0.1:${ports.local}`;
        if (built.external && built.redirect) {
          ports.https = await listen(built.external, host, ports.https, 'web.httpsPort');
          ports.http = await listen(built.redirect, host, ports.http, 'web.httpPort');
          urls.external = externalUrls(ports.https);
        }
      } catch (err) {
        // What did listen is closed again: a failed start leaves no port taken.
        await Promise.all([built.redirect, built.external, built.loopback].map((a) => a?.close()));
        throw err;
      }
      deps.log.info({ local: urls.local, external: urls.external }, 'web interface listening');
    },
    openBrowser() {
      if (web.openBrowser && urls.local) deps.openBrowser?.(urls.local);
    },
    async stop() {
      for (const close of [...ctx.liveStreams]) close();
      if (!apps) return;
      await Promise.all([apps.redirect, apps.external, apps.loopback].map((app) => app?.close()));
    },
  };
}

async function listen(app: FastifyInstance, host: string, port: number, setting: string) {
  try {
    await app.listen({ host, port });
  } catch (err) {
    throw new PrintosError(
      'PORT_OPEN_FAILED',
      `The web interface cannot listen on ${host}:${port}: ${(err as Error).message}. Change ${setting} or stop what uses the port.`,
    );
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

function externalUrls(port: number): string[] {
  const names = readDeviceNames();
  const suffix = port === 443 ? '' : `:${port}`;
  const v4 = names.addresses.filter((a) => !a.includes(':') && !a.startsWith('127.'));
  return [...names.dns, ...v4].map((name) => `https://${name}${suffix}`);
}

/** Port 80: everything to HTTPS, for the machine's own names only (no open redirect). */
function buildRedirect(ctx: WebContext, httpPort: () => number, httpsPort: () => number) {
  const app = Fastify({
    logger: false,
    trustProxy: false,
    bodyLimit: 1024,
    requestTimeout: 30_000,
  });
  app.addHook('onRequest', async (request, reply) => {
    const port = request.socket.localPort ?? httpPort();
    const names = ctx.externalHosts.names(ctx.now());
    if (!hostAllowed(request.headers.host, names, port)) {
      return reply.code(421).type('text/plain; charset=utf-8').send('Unknown host name.\n');
    }
    const name = (request.headers.host ?? '').replace(/:\d+$/, '');
    const suffix = httpsPort() === 443 ? '' : `:${httpsPort()}`;
    const path = request.url.startsWith('/') && !request.url.startsWith('//') ? request.url : '/';
    return reply.headers(SECURITY_HEADERS).redirect(`https://${name}${suffix}${path}`, 308);
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send());
  return app;
}
