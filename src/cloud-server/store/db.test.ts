import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintosError } from '../../core/errors.js';
import { migrate, openDatabase, schemaVersion } from './db.js';
import { MIGRATIONS, type Migration } from './migrations.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'printos-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('applies the migrations once, in WAL mode with foreign keys on', () => {
    const path = join(dir, 'cloud.db');
    const db = openDatabase(path);
    expect(schemaVersion(db)).toBe(MIGRATIONS.at(-1)?.version);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(['accounts', 'printers', 'jobs', 'commands', 'schema_migrations']),
    );
    db.close();
    const again = openDatabase(path);
    expect(migrate(again, MIGRATIONS)).toBe(0);
    const rows = again.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as {
      n: number;
    };
    expect(rows.n).toBe(MIGRATIONS.length);
    again.close();
  });

  it('applies only the new migrations of a longer list, in order', () => {
    const extra: Migration[] = [
      ...MIGRATIONS,
      { version: 100, name: 'b', sql: 'CREATE TABLE b (x INTEGER REFERENCES a(x))' },
      { version: 99, name: 'a', sql: 'CREATE TABLE a (x INTEGER PRIMARY KEY)' },
    ];
    const db = openDatabase(join(dir, 'cloud.db'));
    expect(migrate(db, extra)).toBe(2);
    expect(migrate(db, extra)).toBe(0);
    expect(schemaVersion(db)).toBe(100);
    db.close();
  });

  it('refuses a database newer than the code', () => {
    const path = join(dir, 'cloud.db');
    const db = openDatabase(path);
    db.prepare('INSERT INTO schema_migrations VALUES (999, ?, 0)').run('future');
    db.close();
    expect(() => openDatabase(path)).toThrow(PrintosError);
  });

  it('enforces a case-insensitive unique email', () => {
    const db = openDatabase(join(dir, 'cloud.db'));
    const insert = db.prepare(
      'INSERT INTO accounts (email, password_hash, created_at) VALUES (?, ?, 0)',
    );
    insert.run('Ann@Example.com', 'h');
    expect(() => insert.run('ann@example.com', 'h')).toThrow(/UNIQUE/);
    db.close();
  });
});
