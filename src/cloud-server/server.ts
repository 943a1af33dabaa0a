/**
 * The self-hosted cloud's composition root: opens the store, builds the services and the
 * HTTP server, and listens. Embeddable: the client service runs it in-process as the
 * default cloud. Also the data-directory functions the CLI uses without a running server
 * (SQLite in WAL mode lets a second process write).
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { buildHttp } from './http/app.js';
import { type CloudContext, DEFAULT_LIMITS, type HttpLimits } from './http/context.js';
import { dataPaths, ensureDataDirs } from './paths.js';
import { loadOrCreateSecret } from './secret.js';
import { AccountService, createAccount, issueApiToken, parseEmail } from './services/accounts.js';
import {
  CommandQueue,
  type CommandQueueOptions,
  DEFAULT_COMMAND_QUEUE,
} from './services/commands.js';
import { createLinkSigner, LINK_VALIDITY_MS } from './services/download-links.js';
import { JobService } from './services/jobs.js';
import { createMailer, type OutboxEntry, readOutbox, type SmtpOptions } from './services/mailer.js';
import { PrinterService } from './services/printers.js';
import { ReleaseService } from './services/releases.js';
import { ReportService } from './services/reports.js';
import { Throttle, type ThrottleLimits } from './services/throttle.js';
import { Store } from './store/index.js';

export type { OutboxEntry, SmtpOptions };
export {
  listReceivedLogsIn,
  listReleasesIn,
  publishReleaseIn,
  withdrawReleaseIn,
} from './admin.js';

export interface CloudServerOptions {
  /** Holds cloud.db (SQLite, WAL), jobs/, outbox/, logs/, releases/ and the secret key (0600). */
  dataDir: string;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 8010; 0 = a random port (tests). */
  port?: number;
  /** Base URL used in links (reset mails, download links); default http://<host>:<port>. */
  publicUrl?: string;
  log: Logger;
  smtp?: SmtpOptions;
  /** Tests control time (token expiry, command redelivery). */
  now?: () => number;
  /** Tuning for tests; defaults suit production. */
  commandQueue?: Partial<CommandQueueOptions>;
  loginThrottle?: Partial<ThrottleLimits>;
  limits?: Partial<HttpLimits>;
}

export interface CloudServer {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export const DEFAULT_CLOUD_PORT = 8010;
const DEFAULT_LOGIN_THROTTLE: ThrottleLimits = {
  perAccount: 5,
  perPeer: 20,
  windowMs: 15 * 60_000,
};
const RESET_THROTTLE: ThrottleLimits = { perAccount: 3, perPeer: 10, windowMs: 60 * 60_000 };
const SIGNUP_THROTTLE: ThrottleLimits = {
  perAccount: Number.POSITIVE_INFINITY,
  perPeer: 10,
  windowMs: 60 * 60_000,
};
const SESSION_IDLE_MS = 7 * 24 * 60 * 60_000;
const SESSION_MAX_MS = 30 * 24 * 60 * 60_000;
const SWEEP_EVERY_MS = 60 * 60_000;

/** The server without its listener: the HTTP app (for `inject`) and the services. */
export interface CloudInstance {
  app: FastifyInstance;
  ctx: CloudContext;
  close(): Promise<void>;
}

export function formatOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Opens the data directory and builds every service; `publicUrl` may change after listen. */
export async function openCloud(
  options: CloudServerOptions,
  publicUrl: () => string,
): Promise<CloudInstance> {
  const paths = dataPaths(options.dataDir);
  await ensureDataDirs(paths);
  const now = options.now ?? Date.now;
  const log = options.log;
  const secret = await loadOrCreateSecret(paths.secret);
  await removeStaleUploads([paths.jobs, paths.logs]);
  const store = Store.open(paths.db);
  try {
    const commands = new CommandQueue(store, now, {
      ...DEFAULT_COMMAND_QUEUE,
      ...options.commandQueue,
    });
    const links = createLinkSigner({ secret, now, publicUrl, validityMs: LINK_VALIDITY_MS });
    const jobs = new JobService({ store, now, log, jobsDir: paths.jobs, commands, links });
    const throttle = (purpose: string, limits: ThrottleLimits) =>
      new Throttle({ attempts: store.attempts, now, purpose, limits });
    const accounts = new AccountService({
      store,
      now,
      log,
      loginThrottle: throttle('login', { ...DEFAULT_LOGIN_THROTTLE, ...options.loginThrottle }),
      resetThrottle: throttle('reset', RESET_THROTTLE),
      signupThrottle: throttle('signup', SIGNUP_THROTTLE),
      mailer: createMailer({ outboxDir: paths.outbox, smtp: options.smtp, log, now }),
      publicUrl,
    });
    const ctx: CloudContext = {
      store,
      log,
      now,
      paths,
      secret,
      accounts,
      jobs,
      links,
      printers: new PrinterService({ store, now, log, commands, jobs }),
      reports: new ReportService({ store, now, log, commands, jobs }),
      releases: new ReleaseService({ store, now, log, releasesDir: paths.releases }),
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      secureCookies: (options.publicUrl ?? '').startsWith('https:'),
      sessionIdleMs: SESSION_IDLE_MS,
      sessionMaxMs: SESSION_MAX_MS,
    };
    const app = await buildHttp(ctx);
    return {
      app,
      ctx,
      async close() {
        // Fastify closes idle keep-alive connections once, when closing starts: one whose
        // response was still finishing would stay open (and close() wait) for the 72 s
        // keep-alive. Close such connections as soon as they become idle.
        const sweep = setInterval(() => app.server.closeIdleConnections(), 50);
        try {
          await app.close();
        } finally {
          clearInterval(sweep);
        }
        store.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}

/** Uploads cut short by a crash leave `.upload-*` files behind; nobody else writes them. */
async function removeStaleUploads(dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    for (const name of await readdir(dir)) {
      if (name.startsWith('.upload-')) await rm(join(dir, name), { force: true });
    }
  }
}

class EmbeddedCloudServer implements CloudServer {
  readonly #options: CloudServerOptions;
  #instance: CloudInstance | undefined;
  #sweep: NodeJS.Timeout | undefined;
  #url: string;

  constructor(options: CloudServerOptions) {
    this.#options = options;
    this.#url = formatOrigin(options.host ?? '127.0.0.1', options.port ?? DEFAULT_CLOUD_PORT);
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<void> {
    if (this.#instance) return;
    const publicUrl = () => (this.#options.publicUrl ?? this.#url).replace(/\/+$/, '');
    const instance = await openCloud(this.#options, publicUrl);
    const host = this.#options.host ?? '127.0.0.1';
    try {
      await instance.app.listen({ host, port: this.#options.port ?? DEFAULT_CLOUD_PORT });
    } catch (err) {
      await instance.close();
      throw new PrintosError(
        'INTERNAL',
        `The cloud cannot listen on ${host}:${this.#options.port ?? DEFAULT_CLOUD_PORT}: ${(err as Error).message}`,
        undefined,
        err,
      );
    }
    const address = instance.app.server.address();
    if (address && typeof address === 'object') this.#url = formatOrigin(host, address.port);
    this.#instance = instance;
    this.#sweep = setInterval(() => void this.#sweepFiles(), SWEEP_EVERY_MS);
    this.#sweep.unref();
    this.#options.log.info({ url: this.#url, dataDir: this.#options.dataDir }, 'cloud listening');
  }

  async stop(): Promise<void> {
    if (this.#sweep) clearInterval(this.#sweep);
    this.#sweep = undefined;
    const instance = this.#instance;
    this.#instance = undefined;
    if (instance) await instance.close();
  }

  async #sweepFiles(): Promise<void> {
    const ctx = this.#instance?.ctx;
    if (!ctx) return;
    try {
      await ctx.jobs.sweepFiles(ctx.now() - LINK_VALIDITY_MS);
    } catch (err) {
      ctx.log.warn({ err: (err as Error).message }, 'cannot delete old job files');
    }
  }
}

export function createCloudServer(options: CloudServerOptions): CloudServer {
  return new EmbeddedCloudServer(options);
}

/** Creates an account in a cloud data directory (works while the server runs). */
export async function addUser(dataDir: string, email: string, password: string): Promise<void> {
  const paths = dataPaths(dataDir);
  await ensureDataDirs(paths);
  const store = Store.open(paths.db);
  try {
    await createAccount(store, email, password, Date.now());
  } finally {
    store.close();
  }
}

/** The messages in the outbox of a cloud data directory, oldest first. */
export function listOutbox(dataDir: string): OutboxEntry[] {
  return readOutbox(dataPaths(dataDir).outbox);
}

/** Makes an API token for an account of a cloud data directory (shown once, stored hashed). */
export async function createApiToken(
  dataDir: string,
  email: string,
  label = 'cli',
): Promise<string> {
  const paths = dataPaths(dataDir);
  await ensureDataDirs(paths);
  const store = Store.open(paths.db);
  try {
    const account = store.accounts.byEmail(parseEmail(email));
    if (!account) throw new PrintosError('NOT_FOUND', `There is no account ${email}.`);
    return issueApiToken(store, account.id, label, Date.now());
  } finally {
    store.close();
  }
}
