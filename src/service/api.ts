/**
 * The client service's JSON API on the loopback listener (127.0.0.1:8008): what the CLI
 * and scripts talk to. Callers prove they may act by the token in the data directory's
 * mode-0600 `api-token` file (the same user, or root); browsers cannot read it, and a
 * request that carries an Origin (a web page) or a foreign Host (DNS rebinding) is refused.
 */
import { timingSafeEqual } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { PrintosError, toPrintosError } from '../core/errors.js';
import { LOOPBACK_HOST_NAMES } from '../core/loopback.js';
import type { ClientService } from './service.js';
import { printerView, statusView } from './views.js';

export interface ApiDeps {
  service: ClientService;
  token: string;
  cloudUrl: string;
  /** Ports the Host header may name (the listener's). */
  port: number;
  /** Sends a support bundle with this problem report to the cloud. */
  sendLogs: (report: string) => Promise<void>;
  /** The running printos version (GET /api/health, the supervisor's probe). */
  version: string;
  /** Notes about the host for `printos status` (update available, under-voltage). */
  notices?: () => string[];
  /** Updates of printos itself; absent when this run cannot have them. */
  updates?: UpdatesApi;
}

export interface UpdatesApi {
  status(): unknown;
  check(): Promise<unknown>;
  apply(options: { whenIdle: boolean }): Promise<unknown>;
}

/** Answers without the token: it reveals only the version, and the supervisor polls it. */
const PUBLIC_PATHS = new Set(['/api/health']);

const loginBody = z.strictObject({
  email: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(1024).optional(),
  passwordDigest: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  autologin: z.boolean().default(true),
  confirmSwitch: z.boolean().default(false),
});

const applyBody = z.strictObject({ whenIdle: z.boolean().default(false) });
const logsBody = z.strictObject({ report: z.string().trim().min(1).max(10_000) });
const gcodeBody = z.strictObject({ lines: z.array(z.string().max(96)).min(1).max(100) });
const printBody = z.strictObject({
  /** A file the service can read: the CLI passes the absolute path of the user's file. */
  path: z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => isAbsolute(p) && !p.includes('\0'), 'must be an absolute path'),
});

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new PrintosError(
    'INVALID_ARGUMENT',
    `Invalid request: ${issue?.path.join('.') || 'body'}: ${issue?.message}`,
  );
}

export function registerApi(app: FastifyInstance, deps: ApiDeps): void {
  const { service } = deps;
  app.addHook('onRequest', async (request) => checkCaller(request, deps));
  app.setErrorHandler((err, _request, reply) => sendError(reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, new PrintosError('NOT_FOUND', `No such API route: ${request.url}`)),
  );

  app.get('/api/health', async () => ({ ok: true, version: deps.version }));
  app.get('/api/status', async () => ({
    ...statusView(service, deps.cloudUrl),
    notices: deps.notices?.() ?? [],
  }));
  registerUpdateRoutes(app, deps.updates);
  app.get('/api/printers', async () => service.printers().map((p) => printerView(service, p)));
  app.get<{ Params: { id: string } }>('/api/printers/:id', async (request) =>
    printerView(service, service.printer(request.params.id)),
  );
  app.post<{ Params: { id: string } }>('/api/printers/:id/print', async (request) => {
    const { path } = parse(printBody, request.body);
    const printer = service.printer(request.params.id);
    await access(path, constants.R_OK).catch(() => {
      throw new PrintosError('FILE_NOT_FOUND', `The service cannot read ${path}.`);
    });
    await printer.startJob({ path, filename: basename(path) });
    return { jobSeq: printer.jobSeq, printer: printerView(service, printer) };
  });
  app.post('/api/printers/reload', async () => service.reloadPrinters());

  app.post('/api/login', async (request) => {
    const body = parse(loginBody, request.body);
    const options = { autologin: body.autologin, confirmSwitch: body.confirmSwitch };
    let account: { email: string; login: string };
    if (body.passwordDigest) {
      account = await service.loginWithDigest(body.email, body.passwordDigest, options);
    } else if (body.password !== undefined) {
      account = await service.login(body.email, body.password, options);
    } else {
      throw new PrintosError('INVALID_ARGUMENT', 'A password is required.');
    }
    return { account: { email: account.email, login: account.login } };
  });
  app.post('/api/offline', async () => {
    await service.enterOffline();
    return { offline: true };
  });
  app.post('/api/logout', async () => service.logout());
  app.post('/api/logs/send', async (request) => {
    const { report } = parse(logsBody, request.body);
    await deps.sendLogs(report);
    return { sent: true };
  });

  const action = (name: string, act: (id: string) => void) =>
    app.post<{ Params: { id: string } }>(`/api/printers/:id/${name}`, async (request) => {
      act(request.params.id);
      return printerView(service, service.printer(request.params.id));
    });
  action('pause', (id) => service.printer(id).pause());
  action('resume', (id) => service.printer(id).resume());
  action('cancel', (id) => service.printer(id).cancel());
  action('emergency-stop', (id) => service.printer(id).emergencyStop());
  app.post<{ Params: { id: string } }>('/api/printers/:id/gcode', async (request) => {
    const { lines } = parse(gcodeBody, request.body);
    service.printer(request.params.id).sendGcode(lines);
    return { sent: lines.length };
  });
}

function registerUpdateRoutes(app: FastifyInstance, updates: UpdatesApi | undefined): void {
  const need = (): UpdatesApi => {
    if (updates) return updates;
    throw new PrintosError('NOT_SUPPORTED', 'Updates are off in this run (offline or disabled).');
  };
  app.get('/api/update', async () => need().status());
  app.post('/api/update/check', async () => need().check());
  app.post('/api/update/apply', async (request) => {
    const { whenIdle } = parse(applyBody, request.body);
    return need().apply({ whenIdle });
  });
}

function checkCaller(request: FastifyRequest, deps: ApiDeps): void {
  const host = (request.headers.host ?? '').toLowerCase();
  // The listener's real port (the configured one may be 0: any free port).
  const port = request.socket.localPort ?? deps.port;
  const allowed = LOOPBACK_HOST_NAMES.flatMap((h) => [h, `${h}:${port}`]);
  if (!allowed.includes(host)) {
    throw new PrintosError('FORBIDDEN', 'This API answers only to loopback host names.');
  }
  if (request.headers.origin !== undefined || request.headers['sec-fetch-site'] !== undefined) {
    throw new PrintosError('FORBIDDEN', 'The JSON API is not for web pages.');
  }
  if (PUBLIC_PATHS.has(request.url)) return;
  const given = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
  if (!sameSecret(given, deps.token)) {
    throw new PrintosError(
      'UNAUTHORIZED',
      'Missing or wrong API token (the api-token file in the data directory).',
    );
  }
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function sendError(reply: FastifyReply, err: unknown): FastifyReply {
  const fastifyStatus = (err as { statusCode?: number }).statusCode;
  const error =
    err instanceof PrintosError
      ? err
      : fastifyStatus && fastifyStatus < 500
        ? new PrintosError('INVALID_ARGUMENT', (err as Error).message)
        : toPrintosError(err);
  const body: Record<string, unknown> = { code: error.code, message: error.message };
  if (error.code === 'CONFIRMATION_REQUIRED' && error.details) body.details = error.details;
  if (error.code === 'INTERNAL') body.message = 'Internal error; see the service log.';
  return reply.status(error.status).send({ error: body });
}
