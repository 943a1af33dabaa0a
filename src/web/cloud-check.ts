/**
 * The remote-access screen's check of cloud credentials: only the linked account's,
 * against the scrypt verifier kept when the client was linked, so it works while the
 * cloud is unreachable. When an online check is given and the cloud answers, a refusal
 * there (the password was changed on the cloud) wins over the stored verifier.
 */
import type { Logger } from '../core/log.js';
import { type LinkedAccount, verifyLinkedAccount } from '../service/credentials.js';
import { passwordDigest } from '../streamer-api/index.js';

export type OnlineAnswer = 'accepted' | 'refused' | 'unreachable';

export interface CloudCheckDeps {
  linkedAccount(): Promise<LinkedAccount | null>;
  /** Asks the cloud (user_login); only called after the offline check passed. */
  online?: (email: string, digest: string) => Promise<OnlineAnswer>;
  log: Logger;
}

export function linkedAccountChecker(deps: CloudCheckDeps) {
  return async (email: string, password: string): Promise<boolean> => {
    const record = await deps.linkedAccount();
    if (!record) return false;
    const digest = passwordDigest(password);
    if (!(await verifyLinkedAccount(record, email, digest))) return false;
    if (!deps.online) return true;
    const answer = await deps.online(record.email, digest).catch(() => 'unreachable' as const);
    if (answer === 'unreachable')
      deps.log.info('cloud unreachable: the linked account was checked offline');
    return answer !== 'refused';
  };
}

/**
 * An online check over the link's user_login (`loginUser` of link/account.ts bound to
 * the cloud client): a refusal of the credentials is 'refused'; any other failure
 * (network, a cloud error) is 'unreachable', so the offline check decides.
 */
export function onlineCheckFrom(
  login: (email: string, digest: string) => Promise<unknown>,
): (email: string, digest: string) => Promise<OnlineAnswer> {
  return async (email, digest) => {
    try {
      await login(email, digest);
      return 'accepted';
    } catch (err) {
      const details = err as { code?: string; details?: { badCredentials?: boolean } };
      return details.code === 'LOGIN_FAILED' && details.details?.badCredentials
        ? 'refused'
        : 'unreachable';
    }
  };
}
