/**
 * The settings page: the client's settings (validated by the one settings schema, every
 * problem listed), each configured printer's, and the audit log. Settings that only a
 * restart applies are named as waiting for it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseSettings, type Settings, valueAtPath } from '../../config/settings.js';
import { PrintosError, toPrintosError } from '../../core/errors.js';
import { type PrinterPatch, STANDARD_BAUD_RATES } from '../../service/printers-list.js';
import { flash, type WebContext } from '../context.js';
import { requireFreshIdentity } from '../reauth.js';
import { settingsBody } from '../views/settings.js';
import { printerId } from './printers.js';
import { checkbox, field, isReady, renderPage } from './render.js';

type WithId = { Params: { id: string } };

/** Read once at start: a new value waits for the next start. */
const RESTART_KEYS = [
  'web.profile',
  'web.external',
  'web.httpPort',
  'web.httpsPort',
  'web.certFile',
  'web.keyFile',
  'web.allowedHosts',
  'cloud.url',
  'cloud.caFile',
  'cloud.embeddedPort',
  'local.port',
  'update.enabled',
  'update.checkIntervalHours',
];

/** Settings that change the network or the cloud link: a remote user proves it is them first. */
const REAUTH_KEYS = [
  'web.external',
  'web.httpPort',
  'web.httpsPort',
  'web.certFile',
  'web.keyFile',
  'web.allowedHosts',
  'web.profile',
  'cloud.url',
  'cloud.caFile',
];

/** The keys of `keys` whose values differ between two settings. */
export function changedKeys(keys: readonly string[], a: Settings, b: Settings): string[] {
  return keys.filter((key) => {
    const path = key.split('.');
    return JSON.stringify(valueAtPath(a, path)) !== JSON.stringify(valueAtPath(b, path));
  });
}

export function pendingRestart(saved: Settings, running: Settings): string[] {
  return changedKeys(RESTART_KEYS, saved, running);
}

export function registerSettingsRoutes(app: FastifyInstance, ctx: WebContext): void {
  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { problems?: string[]; settings?: Settings; status?: number } = {},
  ) => {
    const saved = await ctx.deps.settingsStore.load();
    const [printers, audit] = await Promise.all([ctx.deps.printers.list(), ctx.audit.recent(100)]);
    return renderPage(
      ctx,
      request,
      reply,
      { title: 'Settings', nav: true },
      (csrf) =>
        settingsBody({
          csrf,
          settings: extra.settings ?? saved,
          pendingRestart: pendingRestart(saved, ctx.deps.settings),
          problems: extra.problems ?? [],
          certificate: ctx.status.certificate,
          printers,
          bauds: STANDARD_BAUD_RATES,
          audit,
        }),
      extra.status,
    );
  };

  app.get('/settings', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    return show(request, reply);
  });

  app.post('/settings', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const current = await ctx.deps.settingsStore.load();
    const candidate = fromForm(request, current);
    let valid: Settings;
    try {
      valid = parseSettings(candidate, 'settings');
    } catch (err) {
      const error = toPrintosError(err);
      if (error.code !== 'CONFIG_INVALID') throw err;
      const problems = (error.details?.problems as string[] | undefined) ?? [error.message];
      return show(request, reply, { problems, settings: candidate as Settings, status: 400 });
    }
    if (changedKeys(REAUTH_KEYS, valid, current).length > 0) {
      const refused = requireFreshIdentity(ctx, request, reply, {
        action: 'change network or cloud settings',
        back: '/settings',
      });
      if (refused) return refused;
    }
    await ctx.deps.settingsStore.save(valid);
    flash(ctx, request, { notice: 'Settings saved.' });
    return reply.redirect('/settings', 303);
  });

  app.post<WithId>('/printers/:id/settings', async (request, reply) => {
    if (!isReady(ctx)) return reply.redirect('/login', 303);
    const id = printerId(request);
    try {
      const entry = await ctx.deps.printers.update(id, printerPatch(request));
      renameRunning(ctx, id, entry.name);
      flash(ctx, request, {
        notice: `Saved the settings of ${entry.name ?? id}. Other than the name, they apply when the printer connects again (at the next start).`,
      });
    } catch (err) {
      const error = toPrintosError(err);
      if (error.code === 'INTERNAL') throw err;
      flash(ctx, request, { error: error.message });
    }
    return reply.redirect('/settings', 303);
  });
}

function fromForm(request: FastifyRequest, current: Settings): unknown {
  const external = field(request, 'external', 5);
  const path = (name: string) => field(request, name, 1024).trim() || null;
  return {
    ...current,
    autologin: checkbox(request, 'autologin'),
    cloud: { ...current.cloud, url: field(request, 'cloudUrl', 1024).trim() },
    update: {
      enabled: checkbox(request, 'updateEnabled'),
      checkIntervalHours:
        field(request, 'updateHours', 20).trim() === ''
          ? current.update.checkIntervalHours
          : numberField(request, 'updateHours'),
    },
    web: {
      ...current.web,
      profile: field(request, 'profile', 20),
      external: external === 'on' ? true : external === 'off' ? false : null,
      httpPort: numberField(request, 'httpPort'),
      httpsPort: numberField(request, 'httpsPort'),
      certFile: path('certFile'),
      keyFile: path('keyFile'),
      allowedHosts: field(request, 'allowedHosts', 2000)
        .split(/[\s,]+/)
        .filter((name) => name !== ''),
      openBrowser: checkbox(request, 'openBrowser'),
    },
  };
}

function numberField(request: FastifyRequest, name: string): number | string {
  const text = field(request, name, 20).trim();
  return /^\d+$/.test(text) ? Number(text) : text;
}

function printerPatch(request: FastifyRequest): PrinterPatch {
  const name = field(request, 'name', 64).trim();
  const baud = field(request, 'baud', 10);
  const settings: Record<string, unknown> = {};
  const flow = field(request, 'flow', 20);
  if (flow !== '') settings.flow = flow;
  for (const key of ['rxBufferBytes', 'commandSlots']) {
    const value = numberField(request, key);
    if (value !== '') settings[key] = value;
  }
  for (const key of ['parenComments', 'resetOnConnect']) {
    const value = field(request, key, 5);
    if (value !== '') settings[key] = value === 'true';
  }
  return {
    name: name === '' ? null : name,
    baud: baud === '' ? null : Number(baud),
    settings: Object.keys(settings).length === 0 ? null : (settings as PrinterPatch['settings']),
  };
}

function renameRunning(ctx: WebContext, id: string, name: string | undefined): void {
  if (!name) return;
  try {
    ctx.deps.service.printer(id).setName(name);
  } catch (err) {
    if (!(err instanceof PrintosError && err.code === 'NOT_FOUND')) throw err;
  }
}
