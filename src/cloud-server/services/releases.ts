/**
 * Releases of the client that this cloud serves. A published version never changes:
 * publishing it again with the same files is a no-op, with other files a CONFLICT.
 * The latest release is the highest semantic version that is not withdrawn; a withdrawn
 * release keeps its files (a client halfway through its download can finish it).
 */
import { renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import semver from 'semver';
import { PrintosError } from '../../core/errors.js';
import { syncDirectory } from '../../core/files.js';
import type { Logger } from '../../core/log.js';
import { releaseManifestSchema } from '../../update/manifest.js';
import type { Store } from '../store/index.js';
import type { ReleaseRow } from '../store/releases.js';
import { readReleaseDir, removeStaleStaging, stageRelease } from './release-files.js';

export interface ReleaseServiceDeps {
  store: Store;
  now: () => number;
  log: Logger;
  /** <cloud data dir>/releases */
  releasesDir: string;
}

export type PublishOutcome = 'published' | 'unchanged' | 'restored';

export interface ReleaseView {
  version: string;
  archive: string;
  size: number;
  sha256: string;
  notes: string;
  publishedAt: string;
  withdrawnAt: string | null;
  latest: boolean;
}

/** What GET /api/client/releases/latest answers. */
export interface LatestReleaseAnswer {
  version: string;
  manifest: string;
  signature: string;
  archiveUrl: string;
  notes: string;
  publishedAt: string;
}

export function archiveUrl(row: Pick<ReleaseRow, 'version' | 'archive'>): string {
  return `/releases/${row.version}/${row.archive}`;
}

/** The highest version among releases that are not withdrawn. */
export function latestOf(rows: readonly ReleaseRow[]): ReleaseRow | undefined {
  let best: ReleaseRow | undefined;
  for (const row of rows) {
    if (row.withdrawn_at !== null) continue;
    if (!best || semver.gt(row.version, best.version)) best = row;
  }
  return best;
}

export class ReleaseService {
  readonly #deps: ReleaseServiceDeps;

  constructor(deps: ReleaseServiceDeps) {
    this.#deps = deps;
  }

  /** Checks, copies and records the release in `sourceDir`. */
  async publish(sourceDir: string): Promise<{ outcome: PublishOutcome; release: ReleaseView }> {
    const { releasesDir, now, log } = this.#deps;
    await removeStaleStaging(releasesDir, now());
    const source = await readReleaseDir(sourceDir);
    const staging = await stageRelease(releasesDir, source);
    try {
      const outcome = this.#record(staging, {
        version: source.manifest.version,
        archive: source.manifest.archive,
        size: source.manifest.size,
        sha256: source.manifest.sha256,
        notes: source.manifest.notes,
        manifest: source.manifestBytes.toString('utf8'),
        signature: source.signature,
        published_at: now(),
      });
      if (outcome === 'published') await syncDirectory(releasesDir);
      log.info({ version: source.manifest.version, outcome }, 'release published');
      return { outcome, release: this.view(source.manifest.version) };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * One IMMEDIATE transaction: two publishers of one version are serialised, and the
   * directory is renamed into place only when the row is inserted.
   */
  #record(staging: string, release: Omit<ReleaseRow, 'id' | 'withdrawn_at'>): PublishOutcome {
    const { store, releasesDir } = this.#deps;
    return store.transaction(() => {
      const existing = store.releases.byVersion(release.version);
      if (existing) {
        if (existing.manifest !== release.manifest || existing.signature !== release.signature) {
          throw new PrintosError(
            'CONFLICT',
            `Version ${release.version} is already published with other files; a published version never changes: publish a new version.`,
          );
        }
        if (existing.withdrawn_at === null) return 'unchanged';
        store.releases.setWithdrawn(release.version, null);
        return 'restored';
      }
      const target = join(releasesDir, release.version);
      // A directory without a row was left by a publish that died before its insert.
      rmSync(target, { recursive: true, force: true });
      renameSync(staging, target);
      try {
        store.releases.add(release);
      } catch (err) {
        renameSync(target, staging);
        throw err;
      }
      return 'published';
    });
  }

  list(): ReleaseView[] {
    const rows = this.#deps.store.releases.all();
    const latest = latestOf(rows);
    return rows.map((row) => toView(row, row.version === latest?.version));
  }

  view(version: string): ReleaseView {
    const row = this.#deps.store.releases.byVersion(version);
    if (!row) throw new PrintosError('NOT_FOUND', `No release ${version} is published.`);
    const latest = latestOf(this.#deps.store.releases.all());
    return toView(row, row.version === latest?.version);
  }

  latest(): LatestReleaseAnswer {
    const row = latestOf(this.#deps.store.releases.all());
    if (!row) throw new PrintosError('NOT_FOUND', 'No release is published.');
    return {
      version: row.version,
      manifest: row.manifest,
      signature: row.signature,
      archiveUrl: archiveUrl(row),
      notes: row.notes,
      publishedAt: new Date(row.published_at).toISOString(),
    };
  }

  /** Stops serving a version as the latest; its files stay. */
  withdraw(version: string): ReleaseView {
    const { store, now } = this.#deps;
    store.transaction(() => {
      const row = store.releases.byVersion(version);
      if (!row) throw new PrintosError('NOT_FOUND', `No release ${version} is published.`);
      if (row.withdrawn_at === null) store.releases.setWithdrawn(version, now());
    });
    return this.view(version);
  }

  /**
   * The archive file of a published release (withdrawn ones included), from the store's
   * row only: no part of the request reaches the file system unless it names a row.
   */
  archive(version: string, file: string): { path: string; row: ReleaseRow } {
    const missing = new PrintosError('NOT_FOUND', 'No such release file.');
    if (!releaseManifestSchema.shape.version.safeParse(version).success) throw missing;
    const row = this.#deps.store.releases.byVersion(version);
    if (!row || row.archive !== file) throw missing;
    return { path: join(this.#deps.releasesDir, row.version, row.archive), row };
  }
}

function toView(row: ReleaseRow, latest: boolean): ReleaseView {
  return {
    version: row.version,
    archive: row.archive,
    size: row.size,
    sha256: row.sha256,
    notes: row.notes,
    publishedAt: new Date(row.published_at).toISOString(),
    withdrawnAt: row.withdrawn_at === null ? null : new Date(row.withdrawn_at).toISOString(),
    latest,
  };
}
