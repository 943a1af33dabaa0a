/**
 * The client service: the printers, the account and its cloud link, offline mode.
 * It decides what login, logout and an account switch mean (the seed's rules);
 * every concrete piece (drivers, the cloud client, the link loop, files) is passed in.
 */
import { PrintosError, toPrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { LinkedPrinter } from '../link/types.js';
import { passwordDigest } from '../streamer-api/index.js';
import type { LastJob } from './managed-printer.js';

/** A printer as the service runs it (ServicePrinter in production). */
export interface ServicePrinter extends LinkedPrinter {
  readonly name: string;
  readonly lastError: string | undefined;
  /** The number of the job started last, and how the last one ended. */
  readonly jobSeq: number;
  readonly lastJob: LastJob | null;
  start(): void;
  /** Disconnects; an active job is cancelled safely first. */
  stop(): Promise<{ interruptedJob?: string }>;
  emergencyStop(): void;
}

export interface PrinterEntryView {
  id: string;
  port: string;
  name?: string;
}

export interface LinkHandle {
  start(): void;
  stop(): Promise<void> | void;
  state(): LinkState;
}

export interface LinkState {
  linked: boolean;
  lastContact?: number;
  lastError?: string;
  cloudName?: string;
}

export interface AccountStore {
  /** The last linked account's email (kept after logout, to recognise a switch). */
  linkedEmail(): Promise<string | null>;
  saveLinked(email: string, digest: string): Promise<void>;
  forgetLinked(): Promise<void>;
  /** Autologin credentials. */
  loadCredentials(): Promise<{ email: string; passwordDigest: string } | null>;
  saveCredentials(email: string, digest: string): Promise<void>;
  forgetCredentials(): Promise<void>;
  /** Drops every printer's cloud registration state (account switch, unlink). */
  forgetPrinterCloudState(printerId?: string): Promise<void>;
}

export interface ServiceDeps {
  log: Logger;
  accounts: AccountStore;
  loadPrinterEntries: () => Promise<PrinterEntryView[]>;
  createPrinter: (entry: PrinterEntryView) => ServicePrinter;
  loginUser: (email: string, digest: string) => Promise<{ userToken: string; login: string }>;
  createLink: (printer: LinkedPrinter, session: LinkSession) => LinkHandle;
  offline: { get(): boolean; set(value: boolean): Promise<void> };
  /** Called when logout stops the service. */
  requestShutdown: (reason: string) => void;
  autologinRetry?: { initialMs: number; maxMs: number };
  /** Pause before a printer the cloud unlinked registers anew. */
  relinkDelayMs?: number;
}

export interface LinkSession {
  userToken: string;
  /** The cloud said this printer is unlinked or another account's (codes 7, 9). */
  onUnlinked: (printerId: string, code: number) => void;
}

export interface Account {
  email: string;
  login: string;
  userToken: string;
}

export interface LoginOptions {
  autologin: boolean;
  /** Linking a different account unlinks every printer: the caller must confirm it. */
  confirmSwitch?: boolean;
}

export interface LogoutResult {
  /** false when logout only left offline mode. */
  stopping: boolean;
  interruptedJobs: string[];
}

export class ClientService {
  readonly #deps: ServiceDeps;
  readonly #printers = new Map<string, ServicePrinter>();
  readonly #links = new Map<string, LinkHandle>();
  #account: Account | null = null;
  #autologinTimer: NodeJS.Timeout | undefined;
  #autologinState: 'idle' | 'trying' | 'failed' = 'idle';
  #stopped = false;

  constructor(deps: ServiceDeps) {
    this.#deps = deps;
  }

  get account(): Account | null {
    return this.#account;
  }

  get offline(): boolean {
    return this.#deps.offline.get();
  }

  get autologinState(): string {
    return this.#autologinState;
  }

  printers(): ServicePrinter[] {
    return [...this.#printers.values()];
  }

  printer(id: string): ServicePrinter {
    const printer = this.#printers.get(id);
    if (!printer) throw new PrintosError('NOT_FOUND', `No printer with id ${id}.`);
    return printer;
  }

  linkState(id: string): LinkState | null {
    return this.#links.get(id)?.state() ?? null;
  }

  async start(): Promise<void> {
    await this.reloadPrinters();
    if (!this.offline) this.#tryAutologin(this.#deps.autologinRetry?.initialMs ?? 2000);
  }

  /** Brings the running printers in line with the configured list. */
  async reloadPrinters(): Promise<{ added: string[]; removed: string[] }> {
    const entries = await this.#deps.loadPrinterEntries();
    const wanted = new Set(entries.map((e) => e.id));
    const removed: string[] = [];
    for (const [id, printer] of this.#printers) {
      if (wanted.has(id)) continue;
      await this.#stopLink(id);
      await printer.stop();
      this.#printers.delete(id);
      removed.push(id);
    }
    const added: string[] = [];
    for (const entry of entries) {
      if (this.#printers.has(entry.id)) continue;
      const printer = this.#deps.createPrinter(entry);
      this.#printers.set(entry.id, printer);
      printer.start();
      if (this.#account) this.#startLink(printer);
      added.push(entry.id);
    }
    return { added, removed };
  }

  /** Links the client to an account (the cloud login screen, `printos login`). */
  async login(email: string, password: string, options: LoginOptions): Promise<Account> {
    return this.loginWithDigest(email.trim(), passwordDigest(password), options);
  }

  async loginWithDigest(email: string, digest: string, options: LoginOptions): Promise<Account> {
    const previous = this.#account?.email ?? (await this.#deps.accounts.linkedEmail());
    const switching = previous !== null && previous.toLowerCase() !== email.toLowerCase();
    // The credentials are checked first: a wrong password must not learn which account
    // the client is linked to from the switch warning.
    const { userToken, login } = await this.#deps.loginUser(email, digest);
    if (switching && !options.confirmSwitch) {
      throw new PrintosError(
        'CONFIRMATION_REQUIRED',
        `The client is linked to ${previous}. Linking ${email} unlinks every printer (${this.#printers.size}); they must be set up again under the new account.`,
        { linkedAccount: previous, printers: [...this.#printers.keys()] },
      );
    }
    clearTimeout(this.#autologinTimer);
    await this.#stopAllLinks();
    if (switching) await this.#deps.accounts.forgetPrinterCloudState();
    await this.#deps.accounts.saveLinked(email, digest);
    if (options.autologin) await this.#deps.accounts.saveCredentials(email, digest);
    else await this.#deps.accounts.forgetCredentials();
    if (this.offline) await this.#deps.offline.set(false);
    this.#account = { email, login, userToken };
    this.#autologinState = 'idle';
    this.#deps.log.info({ account: email, switched: switching }, 'linked to the cloud account');
    for (const printer of this.#printers.values()) this.#startLink(printer);
    return this.#account;
  }

  /** Offline mode: printers work locally, no cloud link (protocol doc §4.9). */
  async enterOffline(): Promise<void> {
    clearTimeout(this.#autologinTimer);
    await this.#stopAllLinks();
    this.#account = null;
    await this.#deps.offline.set(true);
  }

  /**
   * Logout. From offline mode it only leaves offline mode, as in the original.
   * Otherwise it unlinks, interrupts prints safely, and stops the service.
   */
  async logout(): Promise<LogoutResult> {
    if (this.offline) {
      await this.#deps.offline.set(false);
      return { stopping: false, interruptedJobs: [] };
    }
    clearTimeout(this.#autologinTimer);
    await this.#deps.accounts.forgetCredentials();
    this.#account = null;
    const interruptedJobs = await this.stop();
    this.#deps.requestShutdown('logout');
    return { stopping: true, interruptedJobs };
  }

  /** Stops links and printers; active prints are cancelled safely. */
  async stop(): Promise<string[]> {
    if (this.#stopped) return [];
    this.#stopped = true;
    clearTimeout(this.#autologinTimer);
    await this.#stopAllLinks();
    const results = await Promise.all([...this.#printers.values()].map((p) => p.stop()));
    return results.flatMap((r) => (r.interruptedJob ? [r.interruptedJob] : []));
  }

  #tryAutologin(delayMs: number): void {
    void (async () => {
      const saved = await this.#deps.accounts.loadCredentials();
      if (!saved || this.#stopped || this.#account) return;
      this.#autologinState = 'trying';
      try {
        await this.loginWithDigest(saved.email, saved.passwordDigest, {
          autologin: true,
          confirmSwitch: true,
        });
      } catch (err) {
        const error = toPrintosError(err);
        if (error.code === 'LOGIN_FAILED' && error.details?.badCredentials) {
          this.#autologinState = 'failed';
          this.#deps.log.warn('the saved login was refused by the cloud; it is forgotten');
          await this.#deps.accounts.forgetCredentials();
          return;
        }
        this.#deps.log.warn({ code: error.code }, `autologin failed: ${error.message}`);
        const max = this.#deps.autologinRetry?.maxMs ?? 30_000;
        this.#autologinTimer = setTimeout(
          () => this.#tryAutologin(Math.min(delayMs * 2, max)),
          delayMs,
        );
      }
    })();
  }

  #startLink(printer: ServicePrinter): void {
    const account = this.#account;
    if (!account || this.#links.has(printer.key)) return;
    const link = this.#deps.createLink(printer, {
      userToken: account.userToken,
      onUnlinked: (id, code) => void this.#unlinked(id, code),
    });
    this.#links.set(printer.key, link);
    link.start();
  }

  async #unlinked(printerId: string, code: number): Promise<void> {
    this.#deps.log.warn({ printer: printerId, code }, 'the cloud unlinked this printer');
    await this.#stopLink(printerId);
    await this.#deps.accounts.forgetPrinterCloudState(printerId);
    const printer = this.#printers.get(printerId);
    // As the original re-creates the interface: register anew after a pause.
    if (printer) {
      setTimeout(() => {
        if (!this.#stopped && this.#printers.get(printerId) === printer) this.#startLink(printer);
      }, this.#deps.relinkDelayMs ?? 5000).unref();
    }
  }

  async #stopLink(id: string): Promise<void> {
    const link = this.#links.get(id);
    this.#links.delete(id);
    await link?.stop();
  }

  async #stopAllLinks(): Promise<void> {
    await Promise.all([...this.#links.keys()].map((id) => this.#stopLink(id)));
  }
}
