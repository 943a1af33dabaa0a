/** Published client releases: one row per version; the files live in releases/<version>/. */
import type { Db } from './db.js';

export interface ReleaseRow {
  id: number;
  version: string;
  archive: string;
  size: number;
  sha256: string;
  notes: string;
  manifest: string;
  signature: string;
  published_at: number;
  withdrawn_at: number | null;
}

export type NewRelease = Omit<ReleaseRow, 'id' | 'withdrawn_at'>;

export class ReleaseStore {
  readonly #insert;
  readonly #byVersion;
  readonly #all;
  readonly #setWithdrawn;

  constructor(db: Db) {
    this.#insert = db.prepare(
      `INSERT INTO releases (version, archive, size, sha256, notes, manifest, signature,
       published_at) VALUES (@version, @archive, @size, @sha256, @notes, @manifest, @signature,
       @published_at)`,
    );
    this.#byVersion = db.prepare('SELECT * FROM releases WHERE version = ?');
    this.#all = db.prepare('SELECT * FROM releases ORDER BY published_at DESC, id DESC');
    this.#setWithdrawn = db.prepare('UPDATE releases SET withdrawn_at = ? WHERE version = ?');
  }

  /** Inserts a release; the UNIQUE version makes a duplicate throw. */
  add(release: NewRelease): void {
    this.#insert.run(release);
  }

  byVersion(version: string): ReleaseRow | undefined {
    return this.#byVersion.get(version) as ReleaseRow | undefined;
  }

  /** Every release, withdrawn ones included, newest publication first. */
  all(): ReleaseRow[] {
    return this.#all.all() as ReleaseRow[];
  }

  /** `at` = null serves the release again. */
  setWithdrawn(version: string, at: number | null): void {
    this.#setWithdrawn.run(at, version);
  }
}
