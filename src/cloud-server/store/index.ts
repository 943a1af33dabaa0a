/** The cloud store: one SQLite database, one object per table group, all statements prepared. */
import { AccountStore } from './accounts.js';
import { AttemptStore } from './attempts.js';
import { CommandStore } from './commands.js';
import { type Db, openDatabase } from './db.js';
import { JobStore } from './jobs.js';
import { PrinterStore } from './printers.js';
import { ReceivedLogStore } from './received-logs.js';
import { ReleaseStore } from './releases.js';
import { SessionStore } from './sessions.js';

export class Store {
  readonly db: Db;
  readonly accounts: AccountStore;
  readonly sessions: SessionStore;
  readonly attempts: AttemptStore;
  readonly printers: PrinterStore;
  readonly commands: CommandStore;
  readonly jobs: JobStore;
  readonly releases: ReleaseStore;
  readonly receivedLogs: ReceivedLogStore;

  constructor(db: Db) {
    this.db = db;
    this.accounts = new AccountStore(db);
    this.sessions = new SessionStore(db);
    this.attempts = new AttemptStore(db);
    this.printers = new PrinterStore(db);
    this.commands = new CommandStore(db);
    this.jobs = new JobStore(db);
    this.releases = new ReleaseStore(db);
    this.receivedLogs = new ReceivedLogStore(db);
  }

  static open(path: string): Store {
    return new Store(openDatabase(path));
  }

  /** Runs `fn` in one IMMEDIATE transaction (a second process waits instead of failing). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
