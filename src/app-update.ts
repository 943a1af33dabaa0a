/**
 * Composition of updates for the client service: the updater gets the cloud's release
 * answer, the job downloader, the archive and signature code, and the printers' state
 * (an update never starts during a print). Part of the composition root (app-service.ts).
 */
import type { Settings } from './config/settings.js';
import type { Logger } from './core/log.js';
import { downloadJob } from './link/download.js';
import { fetchLatestRelease } from './link/releases.js';
import { JOB_ACTIVE_STATES } from './printer/states.js';
import type { ClientService } from './service/service.js';
import { unpackRelease } from './update/archive.js';
import { clientVersion } from './update/build-release.js';
import { findInstall, runningPackageRoot } from './update/layout.js';
import { trustedPublicKey } from './update/signing.js';
import { EXIT_RESTART, type ReadyMessage, SUPERVISED_ENV } from './update/supervisor.js';
import { Updater } from './update/updater.js';
import { verifyArchive, verifyRelease } from './update/verify-release.js';

export interface UpdaterInput {
  settings: Settings;
  cloudUrl: string;
  ca?: readonly string[];
  downloadsDir: string;
  service: ClientService;
  log: Logger;
  requestRestart: () => void;
  /** This package (runningPackage()). */
  running: { root: string; version: string };
  /** Shorter period for tests (ms); the setting's hours otherwise. */
  intervalMs?: number;
}

export { EXIT_RESTART };

export function isSupervised(): boolean {
  return process.env[SUPERVISED_ENV] === '1' && typeof process.send === 'function';
}

/** Tells the supervisor this version is up (it then probes /api/health). */
export function announceReady(localUrl: string, version: string): void {
  if (!isSupervised()) return;
  const message: ReadyMessage = { type: 'printos-ready', version, localUrl };
  process.send?.(message);
}

/** The running package's root and version (package.json beside dist/ or src/). */
export async function runningPackage(): Promise<{ root: string; version: string }> {
  const root = runningPackageRoot();
  return { root, version: await clientVersion(root) };
}

export function buildUpdater(input: UpdaterInput): Updater {
  const { settings, log, running } = input;
  const updateLog = log.child({ part: 'update' });
  return new Updater({
    currentVersion: running.version,
    install: findInstall(running.root),
    supervised: isSupervised(),
    publicKey: () => trustedPublicKey(running.root),
    fetchLatest: () =>
      fetchLatestRelease({ baseUrl: input.cloudUrl, ...(input.ca ? { ca: input.ca } : {}) }),
    download: (url, dir, size, onProgress) =>
      downloadJob({
        url,
        dir,
        expectedSize: size,
        maxBytes: size,
        log: updateLog,
        onProgress: (received) => onProgress(received),
        ...(input.ca ? { ca: input.ca } : {}),
      }),
    downloadsDir: input.downloadsDir,
    unpack: (archive, dest) => unpackRelease(archive, dest),
    verifier: { verifyRelease, verifyArchive },
    busyReason: () => {
      const busy = input.service.printers().find((p) => JOB_ACTIVE_STATES.has(p.snapshot().state));
      return busy ? `${busy.name} is printing` : null;
    },
    requestRestart: input.requestRestart,
    log: updateLog,
    enabled: settings.update.enabled && !settings.offline,
    intervalMs: input.intervalMs ?? settings.update.checkIntervalHours * 3_600_000,
  });
}
