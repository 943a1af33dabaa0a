/**
 * The StreamerAPI endpoints (protocol doc §1.4–§1.12). Like the original cloud, a
 * protocol-level error is HTTP 200 with `{error:{code,message}}`; only a body that is
 * not JSON (or too large) gets a 4xx. Every request is validated with the wire schemas.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { PrintosError } from '../../core/errors.js';
import {
  COMMAND_ERROR,
  cameraRequestSchema,
  commandRequestSchema,
  getQueuedJobsRequestSchema,
  PRINTER_LOGIN_ERROR,
  printerLoginRequestSchema,
  SENDLOGS_FIELDS,
  STREAMER_API,
  startQueuedJobRequestSchema,
  USER_LOGIN_ERROR,
  userLoginRequestSchema,
} from '../../streamer-api/index.js';
import { tokenHash } from '../crypto.js';
import { reportSummary } from '../services/received-logs.js';
import type { PrinterRow } from '../store/printers.js';
import type { CloudContext } from './context.js';
import { httpStatus, toHttpError } from './errors.js';
import { receiveForm } from './upload.js';

type ProtocolError = { error: { code: number; message: string } };

function protocolError(code: number, message: string): ProtocolError {
  return { error: { code, message } };
}

/** Validates a body; on failure the protocol error (HTTP 200) to answer. */
function parse<T extends z.ZodType>(
  schema: T,
  body: unknown,
  code: number,
): { ok: true; value: z.infer<T> } | { ok: false; answer: ProtocolError } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue?.path.join('.') || 'body';
  return { ok: false, answer: protocolError(code, `Bad request: ${where}: ${issue?.message}`) };
}

/**
 * printer_login has no "bad request" code in the protocol; 2 is used (the client treats
 * any unknown code as critical, which a malformed request is).
 */
const PRINTER_LOGIN_BAD_REQUEST = 2;

export function registerStreamerApi(app: FastifyInstance, ctx: CloudContext): void {
  const json = { bodyLimit: ctx.limits.jsonBytes };

  app.setErrorHandler((err, _request, reply) => {
    const error = toHttpError(err);
    if (error.code === 'INTERNAL') ctx.log.error({ err }, 'StreamerAPI request failed');
    const status = httpStatus(err, error);
    const code = status < 500 ? COMMAND_ERROR.BAD_REQUEST : 500;
    return reply.code(status).send(protocolError(code, error.message));
  });

  app.post(STREAMER_API.userLogin, json, async (request) => {
    const parsed = parse(userLoginRequestSchema, request.body, USER_LOGIN_ERROR.BAD_REQUEST);
    if (!parsed.ok) return parsed.answer;
    const { login, host_mac, local_ip, platform, version } = parsed.value;
    try {
      const account = await ctx.accounts.authenticate(login.user, login.password, request.ip);
      const token = ctx.accounts.issueUserToken(account.id, {
        host_mac,
        local_ip,
        platform,
        version,
      });
      return { user_token: token, user_login: account.email, all_profiles: [], settings_mod: {} };
    } catch (err) {
      if (!(err instanceof PrintosError)) throw err;
      if (err.code === 'RATE_LIMITED')
        return protocolError(USER_LOGIN_ERROR.THROTTLED, err.message);
      if (err.code === 'LOGIN_FAILED')
        return protocolError(USER_LOGIN_ERROR.BAD_CREDENTIALS, err.message);
      throw err;
    }
  });

  app.post(STREAMER_API.printerLogin, json, async (request) => {
    const parsed = parse(printerLoginRequestSchema, request.body, PRINTER_LOGIN_BAD_REQUEST);
    if (!parsed.ok) return parsed.answer;
    return ctx.printers.login(parsed.value.user_token, parsed.value.printer);
  });

  app.post(STREAMER_API.command, json, async (request) => {
    const parsed = parse(commandRequestSchema, request.body, COMMAND_ERROR.BAD_REQUEST);
    if (!parsed.ok) return parsed.answer;
    return ctx.reports.handle(parsed.value);
  });

  app.post(STREAMER_API.getQueuedJobs, json, async (request) => {
    const parsed = parse(getQueuedJobsRequestSchema, request.body, COMMAND_ERROR.BAD_REQUEST);
    if (!parsed.ok) return parsed.answer;
    const printer = printerOf(ctx, parsed.value.printer_token);
    if (!printer) return badPrinterToken();
    return ctx.jobs
      .queue(printer.id)
      .map((job) => ({ id: job.id, filename: job.filename, printing_duration: null }));
  });

  app.post(STREAMER_API.startQueuedJob, json, async (request) => {
    const parsed = parse(startQueuedJobRequestSchema, request.body, COMMAND_ERROR.BAD_REQUEST);
    if (!parsed.ok) return parsed.answer;
    return startQueued(ctx, parsed.value.printer_token, String(parsed.value.job_id));
  });

  app.post(STREAMER_API.camera, { bodyLimit: ctx.limits.cameraBytes }, async (request) => {
    const parsed = parse(cameraRequestSchema, request.body, COMMAND_ERROR.BAD_REQUEST);
    if (!parsed.ok) return parsed.answer;
    return cameraAnswer(ctx, parsed.value.user_token);
  });

  registerCameraJpeg(app, ctx);
  app.post(STREAMER_API.sendLogs, async (request) => receiveLogs(ctx, request));
}

function printerOf(ctx: CloudContext, token: string): PrinterRow | undefined {
  return ctx.store.printers.byToken(tokenHash(token));
}

function badPrinterToken(): ProtocolError {
  return protocolError(COMMAND_ERROR.BAD_TOKEN, 'Unknown printer token; log in again.');
}

function startQueued(ctx: CloudContext, printerToken: string, jobId: string) {
  return ctx.store.transaction(() => {
    const printer = printerOf(ctx, printerToken);
    if (!printer) return badPrinterToken();
    const job = /^\d{1,15}$/.test(jobId) ? ctx.store.jobs.byId(Number(jobId)) : undefined;
    if (!job || job.printer_id !== printer.id || job.status !== 'queued') {
      return protocolError(COMMAND_ERROR.JOB_NOT_FOUND, `No queued job ${jobId} for this printer.`);
    }
    try {
      ctx.jobs.startOn(printer, job);
      return {};
    } catch (err) {
      if (err instanceof PrintosError && err.code === 'PRINTER_BUSY') {
        return protocolError(COMMAND_ERROR.PRINTER_BUSY, err.message);
      }
      throw err;
    }
  });
}

/** Frames are not kept; `state: 0` tells the client nobody watches (it sends keep-alives). */
function cameraAnswer(ctx: CloudContext, userToken: string) {
  const owner = ctx.store.accounts.userToken(tokenHash(userToken), ctx.now());
  if (!owner) return protocolError(PRINTER_LOGIN_ERROR.BAD_TOKEN, 'Unknown user token.');
  return { state: 0 as const };
}

/** Binary camera frames: raw JPEG body, metadata in the Camera-Properties header. */
function registerCameraJpeg(app: FastifyInstance, ctx: CloudContext): void {
  app.addContentTypeParser(
    'image/jpeg',
    { parseAs: 'buffer', bodyLimit: ctx.limits.cameraBytes },
    (_request, body, done) => done(null, body),
  );
  app.post(STREAMER_API.cameraJpeg, { bodyLimit: ctx.limits.cameraBytes }, async (request) => {
    let properties: unknown;
    try {
      properties = JSON.parse(String(request.headers['camera-properties'] ?? ''));
    } catch {
      return protocolError(
        COMMAND_ERROR.BAD_REQUEST,
        'Bad request: Camera-Properties is not JSON.',
      );
    }
    const token = (properties as { user_token?: unknown } | null)?.user_token;
    if (typeof token !== 'string' || token === '') {
      return protocolError(COMMAND_ERROR.BAD_REQUEST, 'Bad request: user_token is missing.');
    }
    return cameraAnswer(ctx, token);
  });
}

/**
 * sendlogs: the bundle lands in logs/<account>/<time>.zip, an optional report beside it,
 * and a row records it (with the report's first line) for the listings.
 */
async function receiveLogs(ctx: CloudContext, request: FastifyRequest) {
  const form = await receiveForm(request, {
    tempDir: ctx.paths.logs,
    maxFileBytes: ctx.limits.logBytes,
    maxFiles: 3,
    fileFields: [
      SENDLOGS_FIELDS.bundle,
      SENDLOGS_FIELDS.report,
      SENDLOGS_FIELDS.integrationRequest,
    ],
  });
  const token = form.fields[SENDLOGS_FIELDS.token] ?? '';
  const owner = token ? ctx.store.accounts.userToken(tokenHash(token), ctx.now()) : undefined;
  const bundle = form.files.find((file) => file.field === SENDLOGS_FIELDS.bundle);
  const discard = () => Promise.all(form.files.map((f) => rm(f.tempPath, { force: true })));
  if (!owner) {
    await discard();
    return protocolError(COMMAND_ERROR.BAD_TOKEN, 'Unknown user token.');
  }
  if (!bundle) {
    await discard();
    return protocolError(COMMAND_ERROR.BAD_REQUEST, 'Bad request: file_data is missing.');
  }
  const folder = String(owner.account_id);
  const dir = join(ctx.paths.logs, folder);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // Milliseconds in the name: two uploads in one second must not overwrite each other.
  const receivedAt = ctx.now();
  const stamp = new Date(receivedAt).toISOString().replace(/[-:]/g, '').replace('.', '-');
  let summary = '';
  for (const file of form.files) {
    const suffix = file.field === SENDLOGS_FIELDS.bundle ? '.zip' : `-${file.field}.txt`;
    const path = join(dir, `${stamp}${suffix}`);
    await rename(file.tempPath, path);
    if (file.field === SENDLOGS_FIELDS.report) summary = await reportSummary(path);
  }
  ctx.store.receivedLogs.add({
    account_id: owner.account_id,
    received_at: receivedAt,
    bundle: `${folder}/${stamp}.zip`,
    size: bundle.size,
    summary,
  });
  ctx.log.info({ account: owner.account_id, bytes: bundle.size }, 'logs received');
  return { success: true };
}
