/**
 * The audit log of the web interface: every login attempt (who, from where, which
 * screen, the result) and every account change, one JSON object per line in a
 * mode-0600 file of the data directory. Passwords never reach it.
 */
import { appendFile, chmod, open, rename, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ensureDir, errorCode } from '../core/files.js';

export type AuditScreen =
  | 'remote-access'
  | 'confirm-identity'
  | 'cloud-login'
  | 'logout'
  | 'update';

export interface AuditEntry {
  at: string;
  screen: AuditScreen;
  /** The name typed (OS user or email), cut short and without control characters. */
  user: string;
  method?: 'os' | 'cloud';
  /** The TCP peer address (never a forwarded-for header). */
  peer: string;
  listener: 'loopback' | 'external';
  result: 'success' | 'failure' | 'throttled' | 'refused' | 'error';
  detail?: string;
}

export const AUDIT_FILE = 'web-audit.jsonl';
const MAX_BYTES = 4 * 1024 * 1024;
const TAIL_BYTES = 256 * 1024;

export class AuditLog {
  readonly path: string;
  readonly #onError: (err: unknown) => void;
  #queue: Promise<void> = Promise.resolve();

  constructor(dir: string, onError: (err: unknown) => void) {
    this.path = join(dir, AUDIT_FILE);
    this.#onError = onError;
  }

  /** Appends an entry; writes are queued so lines keep their order and never interleave. */
  record(entry: Omit<AuditEntry, 'at'> & { at?: string }): Promise<void> {
    const line: AuditEntry = {
      ...entry,
      at: entry.at ?? new Date().toISOString(),
      user: cleanText(entry.user, 254),
      ...(entry.detail === undefined ? {} : { detail: cleanText(entry.detail, 300) }),
    };
    this.#queue = this.#queue
      .then(() => this.#append(`${JSON.stringify(line)}\n`))
      .catch(this.#onError);
    return this.#queue;
  }

  /** The newest entries first, at most `limit`, from the end of the file. */
  async recent(limit: number): Promise<AuditEntry[]> {
    await this.#queue;
    const text = await readTail(this.path, TAIL_BYTES);
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    const entries: AuditEntry[] = [];
    for (const line of lines.reverse()) {
      const entry = parseEntry(line);
      if (entry) entries.push(entry);
      if (entries.length >= limit) break;
    }
    return entries;
  }

  async #append(line: string): Promise<void> {
    const size = await stat(this.path).then(
      (s) => s.size,
      () => 0,
    );
    if (size === 0) await ensureDir(dirname(this.path), 0o700);
    if (size > MAX_BYTES) await rename(this.path, `${this.path}.1`);
    await appendFile(this.path, line, { mode: 0o600 });
    if (size === 0) await chmod(this.path, 0o600);
  }
}

function cleanText(text: string, max: number): string {
  return text.replace(/\p{Cc}/gu, '?').slice(0, max);
}

async function readTail(path: string, bytes: number): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return '';
    throw err;
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await handle.read(buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8');
    // A tail that starts mid-line drops that partial line.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

function parseEntry(line: string): AuditEntry | undefined {
  try {
    const value = JSON.parse(line) as AuditEntry;
    return typeof value === 'object' && value !== null && typeof value.at === 'string'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}
