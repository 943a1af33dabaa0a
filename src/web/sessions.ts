/**
 * Server-side sessions of the web interface. The browser holds a random 256-bit id;
 * the server keeps only its SHA-256, with idle and absolute expiry. Every visitor gets
 * a session (CSRF tokens are bound to it); a remote visitor's carries who signed in on
 * the remote-access screen. Logins always start a new session (no fixation).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface RemoteIdentity {
  /** How the remote user proved who they are: the OS account or the linked cloud account. */
  method: 'os' | 'cloud';
  user: string;
}

/** An account switch waiting for its confirmation (the warning page). */
export interface PendingSwitch {
  email: string;
  digest: string;
  autologin: boolean;
  until: number;
}

export interface Flash {
  notice?: string;
  error?: string;
}

export interface Session {
  readonly key: string;
  readonly createdAt: number;
  lastSeenAt: number;
  remote: RemoteIdentity | null;
  /**
   * When the remote user last proved their identity with a password (screen 1 or the
   * re-authentication page); null without a remote identity. Sensitive actions need it
   * recent (reauth.ts).
   */
  provenAt: number | null;
  /** The sensitive action that sent this session to the re-authentication page, named. */
  reauthFor: string | null;
  flash: Flash | null;
  pendingSwitch: PendingSwitch | null;
}

export interface SessionLimits {
  idleMs: number;
  maxMs: number;
  maxSessions: number;
}

export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #limits: SessionLimits;
  readonly #now: () => number;
  /** Signs CSRF tokens; sessions live in memory, so a key per process is enough. */
  readonly #csrfKey = randomBytes(32);

  constructor(limits: SessionLimits, now: () => number) {
    this.#limits = limits;
    this.#now = now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** The live session of a cookie value, or null (an expired one is dropped). */
  find(id: string | undefined): Session | null {
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) return null;
    const key = hashId(id);
    const session = this.#sessions.get(key);
    if (!session) return null;
    const now = this.#now();
    if (
      now - session.lastSeenAt > this.#limits.idleMs ||
      now - session.createdAt > this.#limits.maxMs
    ) {
      this.#sessions.delete(key);
      return null;
    }
    session.lastSeenAt = now;
    return session;
  }

  /**
   * A new session with a new id; `from` (the one the request came with) is ended. A remote
   * identity counts as proven now (a sign-in) unless `provenAt` says otherwise (a session
   * renewed at a cloud login keeps the time of the last real proof).
   */
  create(
    remote: RemoteIdentity | null,
    from?: Session | null,
    provenAt?: number | null,
  ): { id: string; session: Session } {
    if (from) this.#sessions.delete(from.key);
    this.#evict();
    const id = randomBytes(32).toString('base64url');
    const now = this.#now();
    const session: Session = {
      key: hashId(id),
      createdAt: now,
      lastSeenAt: now,
      remote,
      provenAt: remote === null ? null : provenAt === undefined ? now : provenAt,
      reauthFor: null,
      flash: null,
      pendingSwitch: null,
    };
    this.#sessions.set(session.key, session);
    return { id, session };
  }

  /** Whether a session is still valid (not revoked, not expired), without touching it. */
  isLive(session: Session): boolean {
    const now = this.#now();
    return (
      this.#sessions.get(session.key) === session &&
      now - session.lastSeenAt <= this.#limits.idleMs &&
      now - session.createdAt <= this.#limits.maxMs
    );
  }

  delete(session: Session): void {
    this.#sessions.delete(session.key);
  }

  /** Ends every session but `keep` (logout, account switch); returns how many ended. */
  revokeAll(keep?: Session): number {
    let count = 0;
    for (const key of [...this.#sessions.keys()]) {
      if (key === keep?.key) continue;
      this.#sessions.delete(key);
      count++;
    }
    return count;
  }

  csrfToken(session: Session): string {
    return createHmac('sha256', this.#csrfKey).update(session.key).digest('base64url');
  }

  csrfValid(session: Session, token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 100) return false;
    const expected = Buffer.from(this.csrfToken(session));
    const given = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** At the cap, drop the expired, then anonymous sessions, then the oldest. */
  #evict(): void {
    if (this.#sessions.size < this.#limits.maxSessions) return;
    const now = this.#now();
    for (const [key, s] of this.#sessions) {
      if (now - s.lastSeenAt > this.#limits.idleMs || now - s.createdAt > this.#limits.maxMs) {
        this.#sessions.delete(key);
      }
    }
    for (const [key, s] of this.#sessions) {
      if (this.#sessions.size < this.#limits.maxSessions) return;
      if (s.remote === null) this.#sessions.delete(key);
    }
    for (const key of this.#sessions.keys()) {
      if (this.#sessions.size < this.#limits.maxSessions) return;
      this.#sessions.delete(key);
    }
  }
}

function hashId(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}
