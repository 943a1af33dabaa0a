import { createHash } from 'node:crypto';

/**
 * What the protocol sends instead of a password (§1.5): the SHA-256 hex digest of the
 * typed password. Clouds store a slow hash (scrypt) of this digest, never the digest.
 */
export function passwordDigest(password: string): string {
  return createHash('sha256').update(password, 'utf8').digest('hex');
}
