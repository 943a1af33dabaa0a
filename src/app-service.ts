/**
 * The composition root of the client service (`printos start`) and of the account
 * commands that work without it. Kept apart from app.ts so that `printos print` and
 * `printos ports` never load the web server, the cloud or the SQLite binding.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { connectPrinter } from './app.js';
import { announceReady, buildUpdater, EXIT_RESTART, runningPackage } from './app-update.js';
import { createCloudServer } from './cloud-server/server.js';
import { parsePrinterSettings } from './config/printer-settings.js';
import { cloudUrlProblem, type Settings } from './config/settings.js';
import { loadSettings, saveSettings } from './config/settings-file.js';
import { PrintosError } from './core/errors.js';
import { writeFileAtomic } from './core/files.js';
import { createLogger, type Logger } from './core/log.js';
import type { LogRing } from './core/log-ring.js';
import { sendLogs } from './link/send-logs.js';
import { buildLogBundle, dataDirSecrets } from './service/log-bundle.js';
import { statusView } from './service/views.js';
import { loginUser } from './link/account.js';
import { createCloudClient, loadCa } from './link/cloud-client.js';
import { PrinterLink } from './link/printer-link.js';
import { openJobSource } from './printer/job-source.js';
import { registerApi } from './service/api.js';
import { connectToService, type ServiceFile } from './service/api-client.js';
import { type PrinterCloudEntry, PrinterCloudStateFile } from './service/cloud-state.js';
import {
  createVerifier,
  forgetCredentials,
  forgetLinkedAccount,
  loadCredentials,
  loadLinkedAccount,
  saveCredentials,
  saveLinkedAccount,
} from './service/credentials.js';
import { type DataPaths, dataPaths, ensureDataDir } from './service/data-dir.js';
import { hostIdentity } from './service/identity.js';
import { ManagedPrinter } from './service/managed-printer.js';
import { PowerMonitor, powerWarning } from './service/power.js';
import { loadPrinters, type PrinterEntry, updatePrinter } from './service/printers-list.js';
import { ClientService } from './service/service.js';
import { openPty, resolveOptions, VirtualPrinter } from './virtual-printer/index.js';
import { createClientWebServer } from './web/index.js';

// ---------------------------------------------------------------------------------
// The client service (`printos start`) and the account commands that work without it.
// ---------------------------------------------------------------------------------

export interface ClientServiceOptions {
  dataDir: string;
  log: Logger;
  virtualPrinter: boolean;
  cloudUrl?: string;
  localPort?: number;
  offline?: boolean;
  onReady?: (info: ReadyInfo) => void;
  /** Stops the service when aborted (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal;
  /** Shorter loops for tests. */
  linkPeriodMs?: number;
  /** The recent log lines, for the support bundle. */
  logRing?: LogRing;
  /** Web interface overrides of the settings (printos start options). */
  profile?: 'desktop' | 'rpi';
  external?: boolean;
  httpPort?: number;
  httpsPort?: number;
  /** false: do not open the browser at start (--no-browser). */
  openBrowser?: boolean;
  /** Period of the update check in ms (tests); update.checkIntervalHours otherwise. */
  updateCheckMs?: number;
}

export interface ReadyInfo {
  localUrl: string;
  /** The external listeners' URLs when external access is on. */
  externalUrls: string[];
  cloudUrl: string;
  embeddedCloud: boolean;
  account: string | null;
  offline: boolean;
  printers: Array<{ id: string; port: string }>;
}

/** Why the service stops to be started again at once (into a new version). */
const RESTART_FOR_UPDATE = 'restarting into the new version';

/**
 * Runs the client service until a signal, an abort, or a logout stops it. Returns the
 * process exit code: 0, or EXIT_RESTART after an update (the supervisor starts `current`).
 */
export async function runClientService(options: ClientServiceOptions): Promise<number> {
  const { log } = options;
  const paths = dataPaths(options.dataDir);
  await ensureDataDir(paths);
  if (await connectToService(options.dataDir)) {
    throw new PrintosError(
      'SERVICE_RUNNING',
      `A printos service already runs on ${options.dataDir}; stop it first.`,
    );
  }
  let settings = await loadSettings(paths.settings);
  const cloudSetting = options.cloudUrl ?? settings.cloud.url;
  const problem = cloudUrlProblem(cloudSetting);
  if (problem) throw new PrintosError('INVALID_ARGUMENT', `--cloud-url ${problem}`);
  if (options.offline && !settings.offline) {
    settings = { ...settings, offline: true };
    await saveSettings(paths.settings, settings);
  }
  const stops: Array<() => Promise<void>> = [];
  try {
    const cloud = await startCloud(cloudSetting, paths, settings.cloud.embeddedPort, log);
    if (cloud.stop) stops.push(cloud.stop);
    const virtual = options.virtualPrinter ? await startVirtualPrinter(paths, log) : null;
    if (virtual) stops.push(virtual.stop);
    const built = await buildService({ options, paths, settings, cloudUrl: cloud.url, virtual });
    stops.push(built.close);
    const shutdown = untilShutdown(options.signal, built.shutdownRequested, log);
    // First in the list: released last, after every stop.
    stops.unshift(async () => shutdown.release());
    await built.service.start();
    await built.updater.start();
    built.power.start();
    built.openBrowser();
    options.onReady?.({
      localUrl: built.localUrl,
      externalUrls: built.externalUrls,
      cloudUrl: cloud.url,
      embeddedCloud: cloud.stop !== undefined,
      account: built.service.account?.email ?? null,
      offline: built.service.offline,
      printers: (await built.entries()).map((e) => ({ id: e.id, port: e.port })),
    });
    announceReady(built.localUrl, built.version);
    const reason = await shutdown.reason;
    log.info({ reason }, 'stopping the service');
    const interrupted = await built.service.stop();
    if (interrupted.length > 0) log.warn({ jobs: interrupted }, 'prints interrupted by the stop');
    return reason === RESTART_FOR_UPDATE ? EXIT_RESTART : 0;
  } finally {
    for (const stop of stops.reverse()) await stop().catch((err) => log.error({ err }, 'stop'));
  }
}

interface CloudHandle {
  url: string;
  stop?: () => Promise<void>;
}

async function startCloud(
  setting: string,
  paths: DataPaths,
  port: number,
  log: Logger,
): Promise<CloudHandle> {
  if (setting !== 'embedded') return { url: setting };
  const cloud = createCloudServer({
    dataDir: paths.cloud,
    port,
    log: log.child({ part: 'cloud' }),
  });
  try {
    await cloud.start();
  } catch (err) {
    throw new PrintosError(
      'PORT_OPEN_FAILED',
      `The embedded cloud cannot listen on 127.0.0.1:${port}: ${(err as Error).message}. Set cloud.embeddedPort or stop what uses it.`,
    );
  }
  return { url: cloud.url, stop: () => cloud.stop() };
}

interface VirtualHandle {
  entry: PrinterEntry;
  stop: () => Promise<void>;
}

/** A Marlin-like printer on a pty in this process, with an identity kept across runs. */
async function startVirtualPrinter(paths: DataPaths, log: Logger): Promise<VirtualHandle> {
  const link = await openPty({});
  const printer = new VirtualPrinter(resolveOptions({ moveTimeMs: 2 }), { link });
  printer.start();
  const snr = await stableVirtualSerial(paths);
  log.info({ path: link.path }, 'virtual printer started');
  return {
    entry: {
      id: 'virtual',
      port: link.path,
      name: 'Virtual printer',
      identity: { VID: 'VIRT', PID: '0001', SNR: snr },
      virtual: true,
    },
    stop: () => printer.close(),
  };
}

async function stableVirtualSerial(paths: DataPaths): Promise<string> {
  const file = join(paths.root, 'virtual-printer-id');
  const existing = await readFile(file, 'utf8').catch(() => '');
  if (/^[0-9a-f]{16}$/.test(existing.trim())) return existing.trim();
  const snr = randomBytes(8).toString('hex');
  await writeFileAtomic(file, `${snr}\n`, { mode: 0o600 });
  return snr;
}

interface BuildInput {
  options: ClientServiceOptions;
  paths: DataPaths;
  settings: Settings;
  cloudUrl: string;
  virtual: VirtualHandle | null;
}

async function buildService(input: BuildInput) {
  const { options, paths, settings, cloudUrl, virtual } = input;
  const { log } = options;
  const client = createCloudClient({
    baseUrl: cloudUrl,
    log: log.child({ part: 'link' }),
    ...(settings.cloud.caFile ? { caFile: settings.cloud.caFile } : {}),
  });
  const identity = await hostIdentity({ cloudUrl, hostIdFile: paths.hostId });
  const cloudState = new PrinterCloudStateFile(join(paths.root, 'printer-cloud.json'));
  await cloudState.load();
  let offline = settings.offline;
  let requestShutdown: (reason: string) => void = () => {};
  const shutdownRequested = new Promise<string>((resolve) => {
    requestShutdown = resolve;
  });
  const entries = async (): Promise<PrinterEntry[]> => [
    ...(virtual ? [virtual.entry] : []),
    ...(await loadPrinters(paths.printers)),
  ];
  const service = new ClientService({
    log,
    accounts: accountStore(paths, log, cloudState),
    loadPrinterEntries: entries,
    createPrinter: (entry) => createManagedPrinter(entry as PrinterEntry, paths, log),
    loginUser: (email, digest) => loginUser(client, { email, passwordDigest: digest, identity }),
    createLink: (printer, session) =>
      new PrinterLink({
        client,
        userToken: session.userToken,
        printer,
        version: identity.version,
        downloadsDir: paths.downloads,
        log: log.child({ part: 'link', printer: printer.key }),
        ...(options.linkPeriodMs ? { periodMs: options.linkPeriodMs } : {}),
        onUnlinked: (code) => session.onUnlinked(printer.key, code),
        ...withCloudState(cloudState.get(printer.key)),
        onCloudState: (state) => void cloudState.set(printer.key, state),
        onQuit: () => requestShutdown('the cloud asked the client to quit'),
        uploadLogs: () => sendBundle('Requested by the cloud (upload_logs).'),
      }),
    offline: {
      get: () => offline,
      set: async (value) => {
        offline = value;
        const current = await loadSettings(paths.settings);
        await saveSettings(paths.settings, { ...current, offline: value });
      },
    },
    requestShutdown: (reason) => requestShutdown(reason),
  });
  /** Zips the recent log and this install's description, and sends it to the cloud (§1.12). */
  const sendBundle = async (report: string): Promise<void> => {
    const account = service.account;
    if (!account) {
      throw new PrintosError(
        'NOT_LINKED',
        'Logs go to the linked cloud account: link one first (printos login).',
      );
    }
    const bundle = await buildLogBundle({
      logDir: paths.logs,
      logLines: options.logRing?.lines() ?? [],
      secrets: [account.userToken, ...(await dataDirSecrets(paths))],
      report,
      header: { version: identity.version, platform: identity.platform, node: process.version },
      settings: await loadSettings(paths.settings),
      printers: await entries(),
      status: statusView(service, cloudUrl),
    });
    await sendLogs(client, {
      userToken: account.userToken,
      bundle: bundle.zip,
      report: bundle.report,
    });
    log.info({ bytes: bundle.zip.length }, 'logs sent to the cloud');
  };
  const running = await runningPackage();
  const updater = buildUpdater({
    running,
    settings,
    cloudUrl,
    ...(settings.cloud.caFile ? { ca: loadCa(settings.cloud.caFile) } : {}),
    downloadsDir: join(paths.root, 'updates'),
    service,
    log,
    requestRestart: () => requestShutdown(RESTART_FOR_UPDATE),
    ...(options.updateCheckMs ? { intervalMs: options.updateCheckMs } : {}),
  });
  // A Raspberry Pi reports under-voltage; elsewhere the monitor finds nothing to read.
  const power = new PowerMonitor({ log: log.child({ part: 'power' }) });
  const warnPower = () => powerWarning(power.state());
  const notices = () => {
    const available = updater.status().available;
    const warning = warnPower();
    return [
      ...(available ? [`printos ${available.version} is available: printos update`] : []),
      ...(warning ? [warning] : []),
    ];
  };
  const token = await ensureApiToken(paths.apiToken);
  const port = options.localPort ?? settings.local.port;
  // The web interface owns the listeners: the loopback one (pages + the CLI's JSON API
  // under /api) and, with external access, HTTPS and its HTTP redirect.
  const web = createClientWebServer({
    service,
    paths,
    log,
    cloudUrl,
    settings: { ...settings, local: { port }, web: webSettings(settings, options) },
    openBrowser: options.openBrowser !== false && settings.web.openBrowser,
    onlineLogin: (email, digest) => loginUser(client, { email, passwordDigest: digest, identity }),
    updates: updater,
    powerWarning: warnPower,
    sendReport: sendBundle,
    registerLocalApi: (app) =>
      registerApi(app, {
        service,
        token,
        cloudUrl,
        port,
        sendLogs: sendBundle,
        version: running.version,
        updates: updater,
        notices,
      }),
  });
  try {
    await web.start();
  } catch (err) {
    client.close();
    throw err;
  }
  const actualPort = Number(new URL(web.urls.local).port);
  await writeServiceFile(paths, actualPort);
  return {
    service,
    updater,
    power,
    version: running.version,
    entries,
    shutdownRequested,
    localUrl: web.urls.local,
    externalUrls: web.urls.external,
    openBrowser: () => web.openBrowser(),
    close: async () => {
      updater.stop();
      power.stop();
      await rm(paths.pid, { force: true });
      await web.stop();
      client.close();
    },
  };
}

/** The web settings of this run: the file's, with the command line's overrides. */
function webSettings(settings: Settings, options: ClientServiceOptions): Settings['web'] {
  return {
    ...settings.web,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.external === undefined ? {} : { external: options.external }),
    ...(options.httpPort === undefined ? {} : { httpPort: options.httpPort }),
    ...(options.httpsPort === undefined ? {} : { httpsPort: options.httpsPort }),
  };
}

function createManagedPrinter(entry: PrinterEntry, paths: DataPaths, log: Logger): ManagedPrinter {
  const settings = parsePrinterSettings(entry.settings ?? {}, `settings of printer ${entry.id}`);
  const printerLog = log.child({ printer: entry.id });
  return new ManagedPrinter({
    key: entry.id,
    identity: { ...entry.identity, COM: entry.port },
    name: entry.name ?? `Printer on ${entry.port}`,
    connect: () =>
      connectPrinter({
        path: entry.port,
        settings,
        log: printerLog,
        ...(entry.baud ? { baudRate: entry.baud } : {}),
      }),
    openJob: (path) => openJobSource(path, { parenComments: settings.parenComments }),
    log: printerLog,
    saveName: (name) => {
      if (!entry.virtual) void updatePrinter(paths.printers, entry.id, { name }).catch(() => {});
    },
  });
}

/** What the cloud said about a printer, re-sent by the link (e.g. its type on error 8). */
function withCloudState(entry: PrinterCloudEntry | undefined): { cloudState?: PrinterCloudEntry } {
  return entry ? { cloudState: entry } : {};
}

function accountStore(paths: DataPaths, log: Logger, cloudState: PrinterCloudStateFile) {
  return {
    linkedEmail: async () => (await loadLinkedAccount(paths.account, log))?.email ?? null,
    saveLinked: async (email: string, digest: string) =>
      saveLinkedAccount(paths.account, { email, verifier: await createVerifier(digest) }),
    forgetLinked: () => forgetLinkedAccount(paths.account),
    loadCredentials: () => loadCredentials(paths.credentials, log),
    saveCredentials: (email: string, passwordDigest: string) =>
      saveCredentials(paths.credentials, { email, passwordDigest }),
    forgetCredentials: () => forgetCredentials(paths.credentials),
    forgetPrinterCloudState: (id?: string) => cloudState.forget(id),
  };
}

async function ensureApiToken(path: string): Promise<string> {
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (/^[0-9a-f]{64}$/.test(existing)) return existing;
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, `${token}\n`, { mode: 0o600 });
  return token;
}

async function writeServiceFile(paths: DataPaths, port: number): Promise<void> {
  const file: ServiceFile = { pid: process.pid, port, startedAt: new Date().toISOString() };
  await writeFileAtomic(paths.pid, `${JSON.stringify(file)}\n`, { mode: 0o600 });
}

/**
 * The first signal, abort or request stops the service. The signal handlers stay until
 * `release()` (after every stop): a second Ctrl-C or SIGTERM during the safe stop of a
 * print must not kill the process with the heaters on and service.json left behind.
 */
function untilShutdown(
  signal: AbortSignal | undefined,
  requested: Promise<string>,
  log: Logger,
): { reason: Promise<string>; release: () => void } {
  let resolve: (reason: string) => void = () => {};
  const reason = new Promise<string>((r) => {
    resolve = r;
  });
  let stopping = false;
  const done = (why: string) => {
    if (stopping) {
      log.warn({ signal: why }, 'already stopping: the printers are being stopped safely');
      return;
    }
    stopping = true;
    resolve(why);
  };
  const onSignal = (name: NodeJS.Signals) => done(name);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  signal?.addEventListener('abort', () => done('aborted'), { once: true });
  void requested.then(done);
  return {
    reason,
    release: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/**
 * `printos login` without a running service: checks the account against the configured
 * cloud (the embedded one is started for the check) and keeps it for the next start.
 */
export async function linkWithoutService(
  dataDir: string,
  email: string,
  digest: string,
  options: { confirmSwitch: boolean },
): Promise<{ email: string }> {
  const log = createLogger({ level: 'warn' });
  const paths = dataPaths(dataDir);
  await ensureDataDir(paths);
  const settings = await loadSettings(paths.settings);
  const previous = (await loadLinkedAccount(paths.account, log))?.email;
  const switching = previous !== undefined && previous.toLowerCase() !== email.toLowerCase();
  const cloud = await startCloud(
    settings.cloud.url === 'embedded' ? 'embedded' : settings.cloud.url,
    paths,
    0,
    log,
  );
  const client = createCloudClient({
    baseUrl: cloud.url,
    log,
    ...(settings.cloud.caFile ? { caFile: settings.cloud.caFile } : {}),
  });
  try {
    const identity = await hostIdentity({ cloudUrl: cloud.url, hostIdFile: paths.hostId });
    await loginUser(client, { email, passwordDigest: digest, identity });
  } finally {
    client.close();
    await cloud.stop?.();
  }
  if (switching && !options.confirmSwitch) {
    throw new PrintosError(
      'CONFIRMATION_REQUIRED',
      `The client is linked to ${previous}. Linking ${email} unlinks every printer; they must be set up again under the new account.`,
      { linkedAccount: previous },
    );
  }
  if (switching) await new PrinterCloudStateFile(join(paths.root, 'printer-cloud.json')).forget();
  await saveLinkedAccount(paths.account, { email, verifier: await createVerifier(digest) });
  await saveCredentials(paths.credentials, { email, passwordDigest: digest });
  if (settings.offline) await saveSettings(paths.settings, { ...settings, offline: false });
  return { email };
}

/** `printos logout` without a running service. */
export async function forgetLogin(dataDir: string): Promise<string> {
  const paths = dataPaths(dataDir);
  const settings = await loadSettings(paths.settings);
  if (settings.offline) {
    await saveSettings(paths.settings, { ...settings, offline: false });
    return 'Left offline mode.';
  }
  await forgetCredentials(paths.credentials);
  return 'Logged out: the saved login is forgotten (no service was running).';
}

/** What `printos status` shows when no service runs. */
export async function localStatus(dataDir: string) {
  const log = createLogger({ level: 'warn' });
  const paths = dataPaths(dataDir);
  const settings = await loadSettings(paths.settings);
  const saved = await loadCredentials(paths.credentials, log);
  const printers = await loadPrinters(paths.printers);
  return {
    account: saved ? { email: saved.email } : null,
    offline: settings.offline,
    cloud: { url: settings.cloud.url },
    printers: printers.map((p) => ({
      id: p.id,
      name: p.name ?? `Printer on ${p.port}`,
      identity: p.identity,
      state: 'disconnected',
      temperatures: [],
      job: null,
      cloud: null,
      jobSeq: 0,
      lastJob: null,
    })),
  };
}
