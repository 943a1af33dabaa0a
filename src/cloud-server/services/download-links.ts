/**
 * Signed, expiring job download links: /streamerapi/download/<job>?expires=<s>&sig=<hex>,
 * sig = HMAC-SHA256(server secret, "<job>.<expires>"). A client needs no token to
 * download; whoever holds the link can, until it expires.
 */
import { hmacHex, safeEqual } from '../crypto.js';

export const DOWNLOAD_PATH = '/streamerapi/download';
export const LINK_VALIDITY_MS = 24 * 60 * 60 * 1000;

export interface LinkSigner {
  link(jobId: number): string;
  /** 'ok', or why a link is refused. */
  check(jobId: string, expires: string, sig: string): 'ok' | 'expired' | 'bad-signature';
}

export function createLinkSigner(deps: {
  secret: Buffer;
  now: () => number;
  publicUrl: () => string;
  validityMs?: number;
}): LinkSigner {
  const sign = (jobId: string, expires: string) => hmacHex(deps.secret, `${jobId}.${expires}`);
  return {
    link(jobId) {
      const expires = String(
        Math.floor((deps.now() + (deps.validityMs ?? LINK_VALIDITY_MS)) / 1000),
      );
      return `${deps.publicUrl()}${DOWNLOAD_PATH}/${jobId}?expires=${expires}&sig=${sign(String(jobId), expires)}`;
    },
    check(jobId, expires, sig) {
      if (!/^\d{1,12}$/.test(jobId) || !/^\d{1,12}$/.test(expires)) return 'bad-signature';
      if (!safeEqual(sign(jobId, expires), sig)) return 'bad-signature';
      return Number(expires) * 1000 <= deps.now() ? 'expired' : 'ok';
    },
  };
}
