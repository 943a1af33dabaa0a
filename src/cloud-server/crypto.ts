/**
 * Secrets of the cloud: random tokens (stored only as their SHA-256), scrypt password
 * hashes, and HMAC signatures. Every comparison of secrets is constant-time.
 */
import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** A random 256-bit token, URL-safe. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the store keeps of a token: its SHA-256 (a leaked database holds no usable token). */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** Constant-time equality of two strings (false at once when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

const COST = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, cost: { N: number; r: number; p: number }) {
  return new Promise<Buffer>((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, { ...cost, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/**
 * scrypt of the protocol's password digest (the SHA-256 hex the client sends), with a
 * per-account salt. Format: `scrypt$N$r$p$salt$hash` so the cost can grow later.
 */
export async function hashPassword(digest: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(digest, salt, COST);
  return `scrypt$${COST.N}$${COST.r}$${COST.p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(digest: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] as string, 'base64url');
  const expected = Buffer.from(parts[5] as string, 'base64url');
  const key = await derive(digest, salt, { N, r, p });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * A hash no password matches: an unknown account is checked against it, so it costs the
 * same time as a wrong password and does not reveal which accounts exist.
 */
export const DUMMY_PASSWORD_HASH =
  'scrypt$16384$8$1$pYViY6ldCo4JQdN5H1GqEg$spd18CqGQVU6TozINFsIWs9zImFz5-gY_ITPWijTBPc';
