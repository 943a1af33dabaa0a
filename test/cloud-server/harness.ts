/** A cloud on loopback (random port, temp data dir, fake clock) and a client-shaped caller. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/core/log.js';
import {
  addUser,
  type CloudServer,
  type CloudServerOptions,
  createCloudServer,
} from '../../src/cloud-server/server.js';
import {
  type AnswerOf,
  commandRequestSchema,
  decodeAnswer,
  passwordDigest,
  printerLoginRequestSchema,
  type Report,
  STREAMER_API,
  type StreamerEndpoint,
  userLoginRequestSchema,
} from '../../src/streamer-api/index.js';

export interface Clock {
  t: number;
  now: () => number;
}

export function fakeClock(start = Date.UTC(2025, 0, 1)): Clock {
  const clock: Clock = { t: start, now: () => clock.t };
  return clock;
}

export interface Harness {
  dir: string;
  clock: Clock;
  server: CloudServer;
  url: string;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startCloud(options: Partial<CloudServerOptions> = {}): Promise<Harness> {
  const dir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'printos-cloud-'));
  const clock = fakeClock();
  const make = () =>
    createCloudServer({ dataDir: dir, port: 0, log: silentLogger(), now: clock.now, ...options });
  const harness: Harness = {
    dir,
    clock,
    server: make(),
    url: '',
    async restart() {
      await harness.server.stop();
      harness.server = make();
      await harness.server.start();
      harness.url = harness.server.url;
    },
    async close() {
      await harness.server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await harness.server.start();
  harness.url = harness.server.url;
  return harness;
}

export const PASSWORD = 'correct horse battery';

export async function withUser(h: Harness, email: string, password = PASSWORD): Promise<void> {
  await addUser(h.dir, email, password);
}

export async function post(
  h: Harness,
  path: string,
  body: unknown,
): Promise<{ status: number; text: string; type: string | null }> {
  const res = await fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

/** POSTs to a StreamerAPI endpoint and decodes the answer as the client does. */
export async function call<E extends StreamerEndpoint>(
  h: Harness,
  endpoint: E,
  body: unknown,
): Promise<AnswerOf<E>> {
  const res = await post(h, STREAMER_API[endpoint], body);
  if (res.status !== 200) throw new Error(`${endpoint}: HTTP ${res.status} ${res.text}`);
  return decodeAnswer(endpoint, res.text);
}

export function userLoginBody(email: string, password = PASSWORD, hostMac = '0xb827eb123456L') {
  return userLoginRequestSchema.parse({
    login: { user: email, password: passwordDigest(password), disposable_token: null },
    platform: 'linux',
    host_mac: hostMac,
    local_ip: '127.0.0.1',
    version: '0.1.0printos',
    profiles_sha256: '',
  });
}

export function printerLoginBody(userToken: string, snr = 'VP0001', vid = 'VRTL', pid = '0001') {
  return printerLoginRequestSchema.parse({
    user_token: userToken,
    printer: { VID: vid, PID: pid, SNR: snr },
    version: '0.1.0printos',
    message_time: 'Wed Jan  1 00:00:00 2025',
    camera: 'Disable camera',
    verbose: false,
    no_job_fail: true,
    profiles_version: 'v2',
  });
}

export function commandBody(
  printerToken: string,
  report: Report | Readonly<Report>,
  extra: Record<string, unknown> = {},
) {
  return commandRequestSchema.parse({ printer_token: printerToken, report, ...extra });
}

/** Logs in a user and a printer; answers the tokens. */
export async function linkPrinter(
  h: Harness,
  email: string,
  options: { snr?: string; hostMac?: string } = {},
): Promise<{ userToken: string; printerToken: string; name: string }> {
  const login = await call(h, 'userLogin', userLoginBody(email, PASSWORD, options.hostMac));
  if (!login.user_token) throw new Error(`user_login failed: ${JSON.stringify(login)}`);
  const printer = await call(h, 'printerLogin', printerLoginBody(login.user_token, options.snr));
  if (!printer.printer_token) throw new Error(`printer_login failed: ${JSON.stringify(printer)}`);
  return {
    userToken: login.user_token,
    printerToken: printer.printer_token,
    name: printer.name ?? '',
  };
}

/** A JSON API call with a bearer token. */
export async function api(
  h: Harness,
  token: string,
  method: string,
  path: string,
  body?: FormData | unknown,
  // biome-ignore lint/suspicious/noExplicitAny: tests read answer fields freely; expect() checks them.
): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${token}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  const res = await fetch(`${h.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function uploadJob(
  h: Harness,
  token: string,
  printerId: number,
  content: string,
  options: { filename?: string; start?: boolean } = {},
) {
  const form = new FormData();
  form.set('printer_id', String(printerId));
  if (options.start) form.set('start', 'true');
  form.set('file', new Blob([content]), options.filename ?? 'cube.gcode');
  return api(h, token, 'POST', '/api/jobs', form);
}

export type { AnswerOf };
