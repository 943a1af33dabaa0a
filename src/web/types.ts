/**
 * What the web interface needs from the rest of the client, as interfaces: the
 * composition root (app-service.ts) passes the real pieces, tests pass small fakes.
 */
import type { FastifyInstance } from 'fastify';
import type { Settings } from '../config/settings.js';
import type { Logger } from '../core/log.js';
import type { DataPaths } from '../service/data-dir.js';
import type { PrinterEntry, PrinterPatch } from '../service/printers-list.js';
import type { ClientService } from '../service/service.js';
import type { PortInfo } from '../transport/ports.js';
import type { PasswordChecker } from './pam.js';
import type { UpdateStatus } from '../update/updater.js';

/** The part of ClientService the pages use. */
export type WebService = Pick<
  ClientService,
  | 'account'
  | 'offline'
  | 'autologinState'
  | 'printers'
  | 'printer'
  | 'linkState'
  | 'login'
  | 'loginWithDigest'
  | 'enterOffline'
  | 'logout'
  | 'reloadPrinters'
>;

/** Checks an OS account's password (PAM in production: pam.ts). */
export type { PasswordChecker } from './pam.js';

/** The configured printers (printers.json); printer-store.ts builds it over printers-list.ts. */
export interface PrinterStore {
  list(): Promise<PrinterEntry[]>;
  add(input: { port: string; baud?: number; name?: string }): Promise<PrinterEntry>;
  remove(id: string): Promise<PrinterEntry>;
  update(id: string, patch: PrinterPatch): Promise<PrinterEntry>;
}

/** Where settings are read and written (config/settings-file.ts over the data directory). */
export interface SettingsStore {
  load(): Promise<Settings>;
  save(settings: Settings): Promise<void>;
}

/** Bounds and periods; tests shorten them. */
export interface WebLimits {
  /** Session idle expiry. */
  sessionIdleMs: number;
  /** Session absolute expiry. */
  sessionMaxMs: number;
  /** Sessions kept at most (the oldest go first). */
  maxSessions: number;
  /** Every failed login answers no sooner than this after it arrived (same for every cause). */
  failureDelayMs: number;
  /** Failures allowed per account name and per peer address in `throttleWindowMs`. */
  failuresPerAccount: number;
  failuresPerPeer: number;
  throttleWindowMs: number;
  /** How long a confirmation of an account switch stays valid. */
  pendingSwitchMs: number;
  /**
   * How long a remote user's last proof of identity (screen 1, or /confirm-identity)
   * covers sensitive actions: network and cloud settings, logout, account switch,
   * removing a printer. Older: the password is asked again.
   */
  reauthMs: number;
  uploadBytes: number;
  /** Period of the server-sent events of the printers list. */
  livePeriodMs: number;
  maxLiveStreams: number;
  /** Form bodies (not uploads). */
  formBytes: number;
}

export const DEFAULT_LIMITS: Readonly<WebLimits> = Object.freeze({
  sessionIdleMs: 2 * 60 * 60 * 1000,
  sessionMaxMs: 24 * 60 * 60 * 1000,
  maxSessions: 2000,
  failureDelayMs: 1000,
  failuresPerAccount: 5,
  failuresPerPeer: 20,
  throttleWindowMs: 15 * 60 * 1000,
  pendingSwitchMs: 5 * 60 * 1000,
  reauthMs: 5 * 60 * 1000,
  uploadBytes: 1024 * 1024 * 1024,
  livePeriodMs: 1000,
  maxLiveStreams: 32,
  formBytes: 64 * 1024,
});

export interface WebUpdates {
  status(): UpdateStatus;
  check(): Promise<unknown>;
  apply(options: { whenIdle: boolean }): Promise<unknown>;
}

export interface WebDeps {
  service: WebService;
  /** The settings the service started with (with the command line's overrides applied). */
  settings: Settings;
  paths: DataPaths;
  log: Logger;
  pam: PasswordChecker;
  /** The linked cloud account, or null when the client was never linked (or unlinked). */
  linkedAccount(): Promise<{ email: string } | null>;
  /** The email of the saved Autologin credentials, if any (login in progress at start). */
  savedLogin?: () => Promise<string | null>;
  /** Whether these are the linked account's credentials (cloud-check.ts builds it). */
  verifyCloud(email: string, password: string): Promise<boolean>;
  /** The base of the cloud's pages for people: `/signup` and `/forgot-password` hang off it. */
  cloudSiteUrl: string;
  listPorts(): Promise<PortInfo[]>;
  printers: PrinterStore;
  settingsStore: SettingsStore;
  /** Registers the CLI's JSON API (service/api.ts) on the loopback listener, under /api/. */
  registerLocalApi?: (app: FastifyInstance) => void;
  /**
   * Sends a log bundle with this problem report to the linked cloud account ("Report a
   * problem"; app-service's sendBundle). Absent: the page says reports cannot be sent.
   */
  sendReport?: (report: string) => Promise<void>;
  /** A warning about the host's power supply (Raspberry Pi under-voltage), or null. */
  powerWarning?: () => string | null;
  /** Updates of printos itself (the update page); absent: no update page. */
  updates?: WebUpdates;
  /** Opens a browser at the local URL (open-browser.ts), on openBrowser(); absent: never. */
  openBrowser?: (url: string) => void;
  /** Address the external listeners bind; default 0.0.0.0 (every IPv4 interface). */
  externalHost?: string;
  limits?: Partial<WebLimits>;
  now?: () => number;
}
