/**
 * The web server as the client service runs it: every dependency built from the
 * service's own pieces, so the composition root (app-service.ts) wires it in one call.
 */
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../config/settings.js';
import { loadSettings, saveSettings } from '../config/settings-file.js';
import type { Logger } from '../core/log.js';
import { loadCredentials, loadLinkedAccount } from '../service/credentials.js';
import type { DataPaths } from '../service/data-dir.js';
import { listPorts as listSerialPorts, type PortInfo } from '../transport/ports.js';
import { linkedAccountChecker, onlineCheckFrom } from './cloud-check.js';
import { browserOpener } from './open-browser.js';
import { choosePasswordChecker } from './pam-helper.js';
import { printerStore } from './printer-store.js';
import { createWebServer, type WebServer } from './server.js';
import type { PasswordChecker, WebService, WebUpdates } from './types.js';

export interface ClientWebInput {
  service: WebService;
  /** The settings of this run, with the command line's overrides applied. */
  settings: Settings;
  paths: DataPaths;
  log: Logger;
  /** The cloud the link talks to (the embedded one's URL, or cloud.url). */
  cloudUrl: string;
  /**
   * user_login with the linked account, to confirm its credentials online on screen 1
   * (a password changed on the cloud is then refused); without it, the stored verifier
   * alone decides. Called only after the offline check passed.
   */
  onlineLogin?: (email: string, passwordDigest: string) => Promise<unknown>;
  /** The CLI's JSON API (service/api.ts registerApi), kept on the loopback listener. */
  registerLocalApi?: (app: FastifyInstance) => void;
  /** Sends a log bundle with a problem report to the cloud (the "Report a problem" page). */
  sendReport?: (report: string) => Promise<void>;
  /** Updates of printos itself, for the update page. */
  updates?: WebUpdates;
  /** The host's power warning (Raspberry Pi under-voltage), or null. */
  powerWarning?: () => string | null;
  /** Open the browser at start (setting web.openBrowser, unless --no-browser). */
  openBrowser?: boolean;
  listPorts?: () => Promise<PortInfo[]>;
  pam?: PasswordChecker;
}

export function createClientWebServer(input: ClientWebInput): WebServer {
  const { paths, log } = input;
  const webLog = log.child({ part: 'web' });
  const listPorts = input.listPorts ?? (() => listSerialPorts());
  const linkedAccount = () => loadLinkedAccount(paths.account, webLog);
  const settings: Settings = {
    ...input.settings,
    web: {
      ...input.settings.web,
      openBrowser: input.openBrowser ?? input.settings.web.openBrowser,
    },
  };
  return createWebServer({
    service: input.service,
    settings,
    paths,
    log: webLog,
    // The root helper's socket when the unit names one (docs/service.md), else PAM in-process.
    pam: input.pam ?? choosePasswordChecker({ log: webLog }),
    linkedAccount,
    savedLogin: async () => (await loadCredentials(paths.credentials, webLog))?.email ?? null,
    verifyCloud: linkedAccountChecker({
      linkedAccount,
      log: webLog,
      ...(input.onlineLogin ? { online: onlineCheckFrom(input.onlineLogin) } : {}),
    }),
    cloudSiteUrl: cloudSiteUrl(input.cloudUrl),
    listPorts,
    printers: printerStore(paths.printers, listPorts),
    settingsStore: {
      load: () => loadSettings(paths.settings),
      save: (value) => saveSettings(paths.settings, value),
    },
    ...(input.registerLocalApi ? { registerLocalApi: input.registerLocalApi } : {}),
    ...(input.sendReport ? { sendReport: input.sendReport } : {}),
    ...(input.updates ? { updates: input.updates } : {}),
    ...(input.powerWarning ? { powerWarning: input.powerWarning } : {}),
    openBrowser: browserOpener(webLog),
  });
}

/**
 * The cloud's site for people: the API's URL, except that 3DPrinterOS names its client
 * endpoint `cli-<site>` (protocol doc §1.1), whose pages are on `<site>`.
 */
export function cloudSiteUrl(cloudUrl: string): string {
  const url = new URL(cloudUrl);
  if (url.hostname.startsWith('cli-')) url.hostname = url.hostname.slice(4);
  return url.origin;
}
