/**
 * The schema, as an ordered list of migrations. Each runs once, in its own transaction,
 * and its version is recorded in schema_migrations. Never edit a released migration:
 * append a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const JOB_STATUSES =
  "'queued','starting','downloading','printing','paused','completed','cancelled','failed'";

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL COLLATE NOCASE UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE user_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  host_mac TEXT NOT NULL,
  local_ip TEXT NOT NULL,
  platform TEXT NOT NULL,
  version TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER NOT NULL
);
CREATE INDEX user_tokens_account ON user_tokens(account_id);
CREATE TABLE api_tokens (
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX api_tokens_account ON api_tokens(account_id);
CREATE TABLE web_sessions (
  id_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX web_sessions_account ON web_sessions(account_id);
CREATE TABLE password_resets (
  token_hash TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE TABLE printers (
  -- AUTOINCREMENT: an id is never reused, so a script never acts on a newer printer or job.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  host_mac TEXT NOT NULL,
  vid TEXT NOT NULL,
  pid TEXT NOT NULL,
  snr TEXT NOT NULL,
  name TEXT NOT NULL,
  token_hash TEXT UNIQUE,
  live_json TEXT NOT NULL DEFAULT '{}',
  errors_json TEXT NOT NULL DEFAULT '[]',
  registered_at INTEGER NOT NULL,
  last_seen INTEGER,
  next_number INTEGER NOT NULL DEFAULT 1,
  last_acked INTEGER,
  removed_at INTEGER,
  UNIQUE (host_mac, vid, pid, snr)
);
CREATE INDEX printers_account ON printers(account_id);
CREATE INDEX printers_serial ON printers(vid, pid, snr);
CREATE TABLE jobs (
  -- AUTOINCREMENT: an id is never reused, so a script never acts on a newer printer or job.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  printer_id INTEGER REFERENCES printers(id) ON DELETE SET NULL,
  printer_name TEXT NOT NULL,
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  path TEXT,
  status TEXT NOT NULL CHECK (status IN (${JOB_STATUSES})),
  percent REAL NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  cancel_requested_at INTEGER,
  lost_at INTEGER,
  outcome TEXT
);
CREATE INDEX jobs_account ON jobs(account_id, id);
CREATE INDEX jobs_printer ON jobs(printer_id, status, id);
CREATE TABLE commands (
  -- AUTOINCREMENT: an id is never reused, so a script never acts on a newer printer or job.
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  printer_id INTEGER NOT NULL REFERENCES printers(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  name TEXT NOT NULL,
  body_json TEXT NOT NULL,
  job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  deliveries INTEGER NOT NULL DEFAULT 0,
  acked_at INTEGER,
  ack_result INTEGER,
  dropped_at INTEGER,
  UNIQUE (printer_id, number)
);
CREATE INDEX commands_pending ON commands(printer_id, acked_at, dropped_at, id);
CREATE TABLE login_attempts (
  key TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX login_attempts_key ON login_attempts(key, at);
`,
  },
  {
    version: 2,
    name: 'releases and received logs',
    sql: `
CREATE TABLE releases (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  version TEXT NOT NULL UNIQUE,
  archive TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  notes TEXT NOT NULL,
  -- The exact bytes the signature covers, and the base64 signature: served as they are.
  manifest TEXT NOT NULL,
  signature TEXT NOT NULL,
  published_at INTEGER NOT NULL,
  withdrawn_at INTEGER
);
CREATE TABLE received_logs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  received_at INTEGER NOT NULL,
  -- The bundle, relative to the logs directory: <account>/<stamp>.zip.
  bundle TEXT NOT NULL,
  size INTEGER NOT NULL,
  -- The first line of problem_report.txt ('' when none was sent).
  summary TEXT NOT NULL
);
CREATE INDEX received_logs_account ON received_logs(account_id, id);
`,
  },
];
