import { describe, expect, it } from 'vitest';
import { passwordDigest } from '../streamer-api/index.js';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  randomToken,
  safeEqual,
  tokenHash,
  verifyPassword,
} from './crypto.js';

describe('password hashes', () => {
  it('are scrypt with a per-hash salt and verify only the same digest', async () => {
    const digest = passwordDigest('correct horse battery');
    const [a, b] = await Promise.all([hashPassword(digest), hashPassword(digest)]);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(digest, a)).toBe(true);
    expect(await verifyPassword(passwordDigest('wrong'), a)).toBe(false);
    expect(await verifyPassword(digest, 'md5$whatever')).toBe(false);
  });

  it('the dummy hash used for unknown accounts does not match a real digest', async () => {
    expect(await verifyPassword(passwordDigest('anything'), DUMMY_PASSWORD_HASH)).toBe(false);
  });
});

describe('tokens', () => {
  it('are 256-bit, URL-safe, and stored as their SHA-256', () => {
    const token = randomToken();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(tokenHash(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(token)).not.toBe(tokenHash(randomToken()));
  });

  it('compare in constant time, false on different lengths', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
