/**
 * The layout of a cloud data directory. The directory is private to its owner (0700):
 * it holds the database, the uploaded jobs, the outbox (reset links), the received logs,
 * the published releases and the server secret.
 */
import { join } from 'node:path';
import { ensureDir } from '../core/files.js';

export interface DataPaths {
  root: string;
  db: string;
  jobs: string;
  outbox: string;
  logs: string;
  /** releases/<version>/ holds manifest.json, manifest.sig and the archive. */
  releases: string;
  secret: string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    db: join(root, 'cloud.db'),
    jobs: join(root, 'jobs'),
    outbox: join(root, 'outbox'),
    logs: join(root, 'logs'),
    releases: join(root, 'releases'),
    secret: join(root, 'secret.key'),
  };
}

/** Creates the directories that do not exist yet, each of mode 0700. */
export async function ensureDataDirs(paths: DataPaths): Promise<void> {
  for (const dir of [paths.root, paths.jobs, paths.outbox, paths.logs, paths.releases]) {
    await ensureDir(dir, 0o700);
  }
}
