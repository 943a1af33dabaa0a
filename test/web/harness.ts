/**
 * The web interface over a real ClientService with fake printers and a fake cloud login:
 * in-process (inject, any peer address) and, with start(), on real loopback listeners.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { parseSettings, type Settings } from '../../src/config/settings.js';
import { loadSettings, saveSettings } from '../../src/config/settings-file.js';
import { PrintosError } from '../../src/core/errors.js';
import { silentLogger } from '../../src/core/log.js';
import type { JobFinished, PrinterSnapshot, StartJobRequest } from '../../src/link/types.js';
import type { PrinterState } from '../../src/printer/states.js';
import { type LinkedAccount, linkedAccountFor } from '../../src/service/credentials.js';
import { type DataPaths, dataPaths, ensureDataDir } from '../../src/service/data-dir.js';
import type { LastJob } from '../../src/service/managed-printer.js';
import { ClientService, type ServicePrinter } from '../../src/service/service.js';
import { passwordDigest } from '../../src/streamer-api/index.js';
import type { PortInfo } from '../../src/transport/ports.js';
import {
  createWebServer,
  linkedAccountChecker,
  type PasswordChecker,
  printerStore,
  type WebLimits,
  type WebServer,
} from '../../src/web/index.js';
import type { WebDeps } from '../../src/web/types.js';

/** Cheap scrypt for tests (the real cost is 2^15). */
const TEST_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface FakePrinter extends ServicePrinter {
  name: string;
  jobSeq: number;
  lastJob: LastJob | null;
  state: PrinterState;
  job: { filename: string; percent: number } | null;
  temps: PrinterSnapshot['temperatures'];
  error: string | undefined;
  actions: string[];
  jobs: StartJobRequest[];
  /** startJob throws this when set. */
  refuseJob?: PrintosError;
}

export function fakePrinter(id: string, name = `Printer ${id}`): FakePrinter {
  const printer: FakePrinter = {
    key: id,
    identity: { VID: 'TTYS', PID: '0PTY', SNR: id, COM: `/dev/fake-${id}` },
    name,
    get lastError() {
      return printer.error;
    },
    jobSeq: 0,
    lastJob: null,
    state: 'ready',
    job: null,
    temps: [
      { id: 'T0', current: 21.5, target: 0 },
      { id: 'B', current: 20.1 },
    ],
    error: undefined,
    actions: [],
    jobs: [],
    start() {},
    async stop() {
      printer.actions.push('stop');
      const job = printer.job?.filename;
      printer.job = null;
      printer.state = 'disconnected';
      return job ? { interruptedJob: job } : {};
    },
    emergencyStop() {
      printer.actions.push('emergency-stop');
      printer.state = 'halted';
    },
    snapshot: () => ({
      state: printer.state,
      temperatures: printer.temps,
      job: printer.job ? { ...printer.job, line: 0 } : null,
    }),
    async startJob(request) {
      if (printer.refuseJob) throw printer.refuseJob;
      printer.jobs.push(request);
      printer.jobSeq++;
      printer.job = { filename: request.filename, percent: 0 };
      printer.state = 'printing';
    },
    pause() {
      if (printer.state !== 'printing') throw new PrintosError('CONFLICT', 'no job to pause');
      printer.actions.push('pause');
      printer.state = 'paused';
    },
    resume() {
      printer.actions.push('resume');
      printer.state = 'printing';
    },
    cancel() {
      printer.actions.push('cancel');
      printer.state = 'ready';
      printer.job = null;
    },
    sendGcode() {},
    setName(name: string) {
      printer.name = name;
    },
    onJobFinished: (_listener: (event: JobFinished) => void) => () => {},
  };
  return printer;
}

export interface HarnessOptions {
  /** The linked account (and its password); undefined: never linked. */
  linked?: { email: string; password: string };
  /** Linked and logged in now (else only remembered: logged out). */
  loggedIn?: boolean;
  offline?: boolean;
  /** Cloud accounts the fake cloud accepts: email → password. */
  cloud?: Record<string, string>;
  /** OS accounts the fake PAM accepts: user → password. */
  os?: Record<string, string>;
  printers?: FakePrinter[];
  ports?: PortInfo[];
  settings?: unknown;
  limits?: Partial<WebLimits>;
  registerLocalApi?: (app: FastifyInstance, service: ClientService) => void;
  now?: () => number;
  /** The OS password check; default: a fake over `os`. */
  pam?: PasswordChecker;
  /** The saved Autologin account's email. */
  savedLogin?: string;
  openBrowser?: (url: string) => void;
  /** Where the external listeners bind (default 127.0.0.1). */
  externalHost?: string;
  /** Listen on any free ports (local, HTTP, HTTPS) instead of the settings' ports. */
  anyPorts?: boolean;
  /** Other dependencies of the web server (updates, power warning, …). */
  extraDeps?: Partial<WebDeps>;
}

export interface Harness {
  server: WebServer;
  service: ClientService;
  paths: DataPaths;
  dir: string;
  printers: FakePrinter[];
  pamCalls: Array<{ user: string; peer: string | undefined }>;
  cloudLogins: string[];
  shutdowns: string[];
  loopback: FastifyInstance;
  external: FastifyInstance | undefined;
  close(): Promise<void>;
}

export async function webHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'printos-web-'));
  const paths = dataPaths(dir);
  await ensureDataDir(paths);
  const parsed: Settings = parseSettings(options.settings ?? {});
  await saveSettings(paths.settings, { ...parsed, offline: options.offline ?? false });
  const settings: Settings = options.anyPorts
    ? { ...parsed, local: { port: 0 }, web: { ...parsed.web, httpPort: 0, httpsPort: 0 } }
    : parsed;
  const cloud = { ...options.cloud };
  if (options.linked) cloud[options.linked.email] ??= options.linked.password;
  let linked: LinkedAccount | null = options.linked
    ? await linkedAccountFor(
        options.linked.email,
        passwordDigest(options.linked.password),
        TEST_SCRYPT,
      )
    : null;
  let offline = options.offline ?? false;
  const printers = options.printers ?? [fakePrinter('p-000001', 'Prusa MK3')];
  const pamCalls: Harness['pamCalls'] = [];
  const cloudLogins: string[] = [];
  const shutdowns: string[] = [];
  const service = new ClientService({
    log: silentLogger(),
    accounts: {
      linkedEmail: async () => linked?.email ?? null,
      saveLinked: async (email, digest) => {
        linked = await linkedAccountFor(email, digest, TEST_SCRYPT);
      },
      forgetLinked: async () => {
        linked = null;
      },
      loadCredentials: async () => null,
      saveCredentials: async () => {},
      forgetCredentials: async () => {},
      forgetPrinterCloudState: async () => {},
    },
    loadPrinterEntries: async () =>
      printers.map((p) => ({ id: p.key, port: `/dev/fake-${p.key}` })),
    createPrinter: (entry) => printers.find((p) => p.key === entry.id) as ServicePrinter,
    loginUser: async (email, digest) => {
      cloudLogins.push(email);
      const password = Object.entries(cloud).find(
        ([known]) => known.toLowerCase() === email.toLowerCase(),
      )?.[1];
      if (password === undefined || passwordDigest(password) !== digest) {
        throw new PrintosError('LOGIN_FAILED', 'The cloud refused the email or password: no', {
          badCredentials: true,
        });
      }
      return { userToken: `token-${email}`, login: email };
    },
    createLink: () => ({ start() {}, stop() {}, state: () => ({ linked: true }) }),
    offline: {
      get: () => offline,
      set: async (value) => {
        offline = value;
      },
    },
    requestShutdown: (reason) => shutdowns.push(reason),
    autologinRetry: { initialMs: 60_000, maxMs: 60_000 },
  });
  await service.start();
  if (options.linked && options.loggedIn !== false && !offline) {
    await service.login(options.linked.email, options.linked.password, { autologin: false });
  }
  cloudLogins.length = 0;
  const ports = options.ports ?? [];
  const server = createWebServer({
    service,
    settings,
    paths,
    log: silentLogger(),
    pam: options.pam ?? {
      async check(user, password, peer) {
        pamCalls.push({ user, peer });
        return options.os?.[user] !== undefined && options.os[user] === password;
      },
    },
    linkedAccount: async () => linked,
    savedLogin: async () => options.savedLogin ?? null,
    ...(options.openBrowser ? { openBrowser: options.openBrowser } : {}),
    verifyCloud: linkedAccountChecker({ linkedAccount: async () => linked, log: silentLogger() }),
    cloudSiteUrl: 'http://127.0.0.1:8010',
    listPorts: async () => ports,
    printers: printerStore(paths.printers, async () => ports),
    settingsStore: {
      load: () => loadSettings(paths.settings),
      save: (s) => saveSettings(paths.settings, s),
    },
    limits: { failureDelayMs: 0, livePeriodMs: 20, ...options.limits },
    ...(options.registerLocalApi
      ? { registerLocalApi: (app: FastifyInstance) => options.registerLocalApi?.(app, service) }
      : {}),
    ...(options.now ? { now: options.now } : {}),
    ...options.extraDeps,
    externalHost: options.externalHost ?? '127.0.0.1',
  });
  const apps = await server.prepare();
  return {
    server,
    service,
    paths,
    dir,
    printers,
    pamCalls,
    cloudLogins,
    shutdowns,
    loopback: apps.loopback,
    external: apps.external,
    async close() {
      await server.stop();
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export { type Answer, csrfOf, REMOTE, Visitor } from './visitor.js';
