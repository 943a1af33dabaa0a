/**
 * The service's side of updates: looks for a newer release on the cloud (at start and
 * every update.checkIntervalHours), and on request downloads it, verifies the Ed25519
 * signature against the key shipped with this copy and the archive's SHA-256, installs
 * it beside the running version, switches `current` and asks the supervisor for a
 * restart (which then checks the new version's health and rolls back on failure).
 *
 * It never starts while a printer prints: it says why, and can wait for the printers to
 * be idle instead.
 */
import { rm } from 'node:fs/promises';
import { PrintosError, toPrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import {
  type Install,
  installVersion,
  readUpdateState,
  switchCurrent,
  type UpdateState,
  writeUpdateState,
} from './layout.js';
import type { ReleaseManifest } from './manifest.js';

/** The latest release as the cloud announces it (not yet trusted). */
export interface LatestRelease {
  manifest: Buffer;
  signature: string;
  /** Absolute URL of the archive, on the cloud's own origin. */
  archiveUrl: string;
}

export type UpdatePhase =
  | 'idle'
  | 'checking'
  | 'available'
  | 'waiting-for-idle'
  | 'downloading'
  | 'installing'
  | 'restarting'
  | 'failed';

export interface UpdateStatus {
  current: string;
  phase: UpdatePhase;
  available: { version: string; notes: string; size: number } | null;
  progress: { received: number; total: number } | null;
  error: { code: string; message: string } | null;
  checkedAt: string | null;
  /** Why this copy cannot install updates itself (a source checkout, no supervisor). */
  cannotInstall: string | null;
  /** Why an update would wait now (a print running), or null. */
  busy: string | null;
  last: UpdateState['last'];
}

export interface ReleaseVerifier {
  verifyRelease(input: {
    manifestBytes: Buffer;
    signature: string;
    publicKeyPem: string;
    currentVersion: string;
  }): ReleaseManifest;
  verifyArchive(path: string, manifest: ReleaseManifest): Promise<void>;
}

export interface UpdaterDeps {
  currentVersion: string;
  install: Install | null;
  /** Whether a supervisor runs this service (it restarts it and checks the new version). */
  supervised: boolean;
  /** The release key shipped with this copy (signing.ts trustedPublicKey: UPDATE_UNSIGNED without one). */
  publicKey: () => Promise<string>;
  fetchLatest: () => Promise<LatestRelease | null>;
  /** Downloads to a file in `dir`; returns its path. */
  download: (
    url: string,
    dir: string,
    size: number,
    onProgress: (received: number) => void,
  ) => Promise<string>;
  downloadsDir: string;
  unpack: (archive: string, destDir: string) => Promise<void>;
  verifier: ReleaseVerifier;
  /** Why printing forbids an update now (e.g. "Prusa is printing"), or null. */
  busyReason: () => string | null;
  /** Stops the service so that the supervisor starts the new version. */
  requestRestart: () => void;
  log: Logger;
  enabled: boolean;
  intervalMs: number;
  /** How often a waiting update looks whether the printers are idle. */
  idlePollMs?: number;
}

export class Updater {
  private readonly deps: UpdaterDeps;
  private phase: UpdatePhase = 'idle';
  private available: { manifest: ReleaseManifest; release: LatestRelease } | null = null;
  private progress: UpdateStatus['progress'] = null;
  private error: PrintosError | null = null;
  private checkedAt: string | null = null;
  private last: UpdateState['last'] = null;
  private timer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(deps: UpdaterDeps) {
    this.deps = deps;
  }

  async start(): Promise<void> {
    if (this.deps.install) this.last = (await readUpdateState(this.deps.install.prefix)).last;
    if (!this.deps.enabled) return;
    const tick = () => void this.check().catch(() => {});
    this.timer = setInterval(tick, this.deps.intervalMs);
    this.timer.unref();
    tick();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.timer = null;
    this.idleTimer = null;
  }

  status(): UpdateStatus {
    const a = this.available?.manifest;
    return {
      current: this.deps.currentVersion,
      phase: this.phase,
      available: a ? { version: a.version, notes: a.notes, size: a.size } : null,
      progress: this.progress,
      error: this.error ? { code: this.error.code, message: this.error.message } : null,
      checkedAt: this.checkedAt,
      cannotInstall: this.cannotInstall(),
      busy: this.deps.busyReason(),
      last: this.last,
    };
  }

  /** Asks the cloud for its latest release; a newer, correctly signed one becomes available. */
  async check(): Promise<UpdateStatus> {
    if (this.isWorking()) return this.status();
    this.phase = 'checking';
    try {
      const release = await this.deps.fetchLatest();
      this.checkedAt = new Date().toISOString();
      this.error = null;
      this.available = release ? this.trust(release, await this.deps.publicKey()) : null;
      this.phase = this.available ? 'available' : 'idle';
    } catch (err) {
      this.available = null;
      this.fail(err, 'update check');
    }
    return this.status();
  }

  /**
   * Installs the available release. With a print running it refuses (PRINTER_BUSY) unless
   * `whenIdle`, in which case it waits for the printers to be idle and then installs.
   */
  async apply(options: { whenIdle?: boolean } = {}): Promise<UpdateStatus> {
    const refusal = this.cannotInstall();
    if (refusal) throw new PrintosError('UPDATE_NOT_INSTALLED', refusal);
    if (this.isWorking()) return this.status();
    if (!this.available) await this.check();
    if (!this.available) {
      if (this.error) throw this.error;
      throw new PrintosError('NOT_FOUND', `No newer release than ${this.deps.currentVersion}.`);
    }
    const busy = this.deps.busyReason();
    if (busy && !options.whenIdle) {
      throw new PrintosError(
        'PRINTER_BUSY',
        `${busy}: printos never updates during a print. Update when the printer is idle instead.`,
      );
    }
    if (busy) this.waitForIdle();
    else this.running = this.install().finally(() => (this.running = null));
    return this.status();
  }

  private waitForIdle(): void {
    this.phase = 'waiting-for-idle';
    this.idleTimer = setInterval(() => {
      if (this.deps.busyReason()) return;
      if (this.idleTimer) clearInterval(this.idleTimer);
      this.idleTimer = null;
      this.running = this.install().finally(() => (this.running = null));
    }, this.deps.idlePollMs ?? 5000);
  }

  private async install(): Promise<void> {
    const available = this.available;
    const install = this.deps.install;
    if (!available || !install) return;
    const { manifest, release } = available;
    let archive: string | null = null;
    try {
      this.phase = 'downloading';
      this.progress = { received: 0, total: manifest.size };
      archive = await this.deps.download(
        release.archiveUrl,
        this.deps.downloadsDir,
        manifest.size,
        (received) => {
          this.progress = { received, total: manifest.size };
        },
      );
      await this.deps.verifier.verifyArchive(archive, manifest);
      // A print may have started during the download.
      const busy = this.deps.busyReason();
      if (busy) throw new PrintosError('PRINTER_BUSY', `${busy}: the update waits for it.`);
      this.phase = 'installing';
      const path = archive;
      await installVersion(install.prefix, manifest.version, (dest) =>
        this.deps.unpack(path, dest),
      );
      await writeUpdateState(install.prefix, {
        trial: {
          from: this.deps.currentVersion,
          to: manifest.version,
          startedAt: new Date().toISOString(),
        },
        last: this.last,
      });
      await switchCurrent(install.prefix, manifest.version);
      this.phase = 'restarting';
      this.deps.log.info(
        { from: this.deps.currentVersion, to: manifest.version },
        'update installed; restarting into it',
      );
      this.deps.requestRestart();
    } catch (err) {
      this.fail(err, 'update');
    } finally {
      if (archive) await rm(archive, { force: true });
    }
  }

  /** Checks the signature, version and target; a refused release is an error, not an offer. */
  private trust(
    release: LatestRelease,
    publicKeyPem: string,
  ): { manifest: ReleaseManifest; release: LatestRelease } | null {
    try {
      const manifest = this.deps.verifier.verifyRelease({
        manifestBytes: release.manifest,
        signature: release.signature,
        publicKeyPem,
        currentVersion: this.deps.currentVersion,
      });
      return { manifest, release };
    } catch (err) {
      // The cloud's latest is the running version: nothing to offer, and no error. An
      // older one is refused out loud (a downgrade is how old holes come back).
      const downgrade = err instanceof PrintosError && err.code === 'UPDATE_DOWNGRADE';
      if (downgrade && isSameVersion(release.manifest, this.deps.currentVersion)) return null;
      throw err;
    }
  }

  private fail(err: unknown, what: string): void {
    const error = toPrintosError(err);
    this.phase = 'failed';
    this.progress = null;
    this.error = error;
    this.deps.log.warn({ code: error.code, err: error.message }, `${what} failed`);
  }

  private isWorking(): boolean {
    return (
      this.running !== null || this.phase === 'waiting-for-idle' || this.phase === 'restarting'
    );
  }

  private cannotInstall(): string | null {
    if (!this.deps.install) {
      return 'This copy runs from a source checkout, not from an installed printos (printos service install); update it with git.';
    }
    if (!this.deps.supervised) {
      return 'Updates need the supervised service (printos service install, or printos start --supervised), which restarts printos and rolls back a failing version.';
    }
    return null;
  }
}

function isSameVersion(manifest: Buffer, current: string): boolean {
  try {
    return (JSON.parse(manifest.toString('utf8')) as { version?: unknown }).version === current;
  } catch {
    return false;
  }
}
