/**
 * Opens the cloud database: WAL (so the CLI can add a user while the server runs),
 * foreign keys on, a busy timeout for the second process, and the pending migrations.
 */
import { chmodSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PrintosError } from '../../core/errors.js';
import { MIGRATIONS, type Migration } from './migrations.js';

export type Db = Database.Database;

export function openDatabase(path: string, migrations: readonly Migration[] = MIGRATIONS): Db {
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new PrintosError('INTERNAL', `Cannot open the cloud database ${path}.`, undefined, err);
  }
  try {
    // Password and token hashes: owner only. SQLite gives -wal/-shm the database's mode.
    chmodSync(path, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('synchronous = NORMAL');
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** The highest migration applied (0 for a new database). */
export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as {
    v: number | null;
  };
  return row.v ?? 0;
}

/** Applies every migration newer than the database, each in a transaction. */
export function migrate(db: Db, migrations: readonly Migration[]): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  );
  let applied = 0;
  // IMMEDIATE: two processes opening a new database at once must not both migrate.
  const apply = db.transaction((migration: Migration) => {
    if (schemaVersion(db) >= migration.version) return;
    db.exec(migration.sql);
    record.run(migration.version, migration.name, Date.now());
    applied += 1;
  });
  const sorted = [...migrations].sort((a, b) => a.version - b.version);
  const newest = sorted.at(-1)?.version ?? 0;
  if (schemaVersion(db) > newest) {
    throw new PrintosError(
      'CONFIG_INVALID',
      `The cloud database has schema version ${schemaVersion(db)}, newer than this printos knows (${newest}); upgrade printos.`,
    );
  }
  for (const migration of sorted) apply.immediate(migration);
  return applied;
}
