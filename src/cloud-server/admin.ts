/**
 * What `printos cloud release …` and `printos cloud logs` do to a cloud data directory,
 * with or without a running cloud (SQLite in WAL mode lets a second process write; the
 * running server reads releases from the store on each request).
 */
import { PrintosError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { dataPaths, ensureDataDirs } from './paths.js';
import { parseEmail } from './services/accounts.js';
import { listReceivedLogs, type ReceivedLogView } from './services/received-logs.js';
import { type PublishOutcome, type ReleaseView, ReleaseService } from './services/releases.js';
import { Store } from './store/index.js';

export type { PublishOutcome, ReceivedLogView, ReleaseView };

async function withStore<T>(dataDir: string, fn: (store: Store) => T | Promise<T>): Promise<T> {
  const paths = dataPaths(dataDir);
  await ensureDataDirs(paths);
  const store = Store.open(paths.db);
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

function releases(dataDir: string, store: Store, log: Logger): ReleaseService {
  return new ReleaseService({
    store,
    log,
    now: Date.now,
    releasesDir: dataPaths(dataDir).releases,
  });
}

/** Checks the release in `sourceDir` and makes the cloud serve it. */
export function publishReleaseIn(
  dataDir: string,
  sourceDir: string,
  log: Logger,
): Promise<{ outcome: PublishOutcome; release: ReleaseView }> {
  return withStore(dataDir, (store) => releases(dataDir, store, log).publish(sourceDir));
}

export function listReleasesIn(dataDir: string, log: Logger): Promise<ReleaseView[]> {
  return withStore(dataDir, (store) => releases(dataDir, store, log).list());
}

export function withdrawReleaseIn(
  dataDir: string,
  version: string,
  log: Logger,
): Promise<ReleaseView> {
  return withStore(dataDir, (store) => releases(dataDir, store, log).withdraw(version));
}

/** The log bundles received, newest first; one account's when `email` is given. */
export function listReceivedLogsIn(
  dataDir: string,
  email: string | undefined,
): Promise<ReceivedLogView[]> {
  return withStore(dataDir, (store) => {
    let accountId: number | undefined;
    if (email !== undefined) {
      const account = store.accounts.byEmail(parseEmail(email));
      if (!account) throw new PrintosError('NOT_FOUND', `There is no account ${email}.`);
      accountId = account.id;
    }
    return listReceivedLogs(store, dataPaths(dataDir).logs, { accountId });
  });
}
