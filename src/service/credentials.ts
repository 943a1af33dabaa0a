/**
 * The two account files of the data directory, both mode 0600 and written atomically:
 *
 * - the Autologin file: the email and the protocol's password digest, sent again with
 *   user_login at the next start (the original's stuff.bin, without its XOR veil);
 * - the linked account record: the email and a scrypt verifier of the digest, so that
 *   the web interface can check a remote user's cloud credentials against the linked
 *   account even when the cloud is unreachable, without keeping anything replayable.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { PrintosError } from '../core/errors.js';
import { errorCode, removeFile, writeFileAtomic } from '../core/files.js';
import type { Logger } from '../core/log.js';

const email = z.string().trim().min(1).max(254);
const digest = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hex digest');

/** scrypt$N$r$p$salt$hash, salt and hash in base64url (16 to 64 bytes each). */
const VERIFIER =
  /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{22,86})\$([A-Za-z0-9_-]{22,86})$/;

const credentialsSchema = z.strictObject({ email, passwordDigest: digest });
const linkedAccountSchema = z.strictObject({
  email,
  verifier: z.string().regex(VERIFIER, 'must be scrypt$N$r$p$salt$hash'),
});

export type Credentials = z.infer<typeof credentialsSchema>;
export type LinkedAccount = z.infer<typeof linkedAccountSchema>;

const SECRET_MODE = 0o600;

export async function saveCredentials(path: string, credentials: Credentials): Promise<void> {
  await writeSecret(path, validate(credentialsSchema, credentials, 'credentials'));
}

/** The stored credentials, or null when there are none or the file is corrupt (then it is removed). */
export async function loadCredentials(path: string, log: Logger): Promise<Credentials | null> {
  return loadSecret(path, credentialsSchema, 'Autologin credentials', log);
}

export async function forgetCredentials(path: string): Promise<void> {
  await removeFile(path);
}

export async function saveLinkedAccount(path: string, account: LinkedAccount): Promise<void> {
  await writeSecret(path, validate(linkedAccountSchema, account, 'linked account'));
}

export async function loadLinkedAccount(path: string, log: Logger): Promise<LinkedAccount | null> {
  return loadSecret(path, linkedAccountSchema, 'linked account record', log);
}

export async function forgetLinkedAccount(path: string): Promise<void> {
  await removeFile(path);
}

async function writeSecret(path: string, value: object): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value)}\n`, { mode: SECRET_MODE });
}

async function loadSecret<T>(
  path: string,
  schema: z.ZodType<T>,
  what: string,
  log: Logger,
): Promise<T | null> {
  const text = await readSecret(path, log);
  if (text === undefined) return null;
  const result = schema.safeParse(parseJson(text));
  if (result.success) return result.data;
  // As the original does with a corrupt stuff.bin: forget it, so the user logs in again.
  // The content is never logged: it may hold a secret.
  log.warn({ file: path }, `The ${what} file is corrupt; it was removed`);
  await removeFile(path);
  return null;
}

/** The file's text, or undefined when it does not exist; a file others can read is closed first. */
async function readSecret(path: string, log: Logger): Promise<string | undefined> {
  try {
    const { mode } = await stat(path);
    if ((mode & 0o077) !== 0) {
      log.warn({ file: path }, 'A secret file was readable by other users; its mode is now 0600');
      await chmod(path, SECRET_MODE);
    }
    return await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    // Unreadable is not corrupt: the file stays, and the caller learns why.
    const message = err instanceof Error ? err.message : String(err);
    throw new PrintosError('INTERNAL', `Cannot read ${path}: ${message}`, { path }, err);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new PrintosError('INVALID_ARGUMENT', `Invalid ${what}: ${problems.join('; ')}`, {
    problems,
  });
}

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** Cost parameters of new verifiers: N=2^15, r=8 (32 MiB, ~100 ms), p=1. */
export const SCRYPT_PARAMS: Readonly<ScryptParams> = { N: 32_768, r: 8, p: 1 };
const SALT_BYTES = 16;
const HASH_BYTES = 32;
/** Bounds for a stored verifier's parameters, so a tampered file cannot make us burn memory. */
const MAX_N = 1_048_576;
const MAX_R = 32;
const MAX_P = 16;

/** A verifier for a password digest: scrypt with a random salt, in `scrypt$N$r$p$salt$hash`. */
export async function createVerifier(
  passwordDigest: string,
  params: ScryptParams = SCRYPT_PARAMS,
): Promise<string> {
  validate(digest, passwordDigest, 'password digest');
  const { N, r, p } = params;
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptHash(passwordDigest, salt, N, r, p);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** The record to save when the client links `email`. */
export async function linkedAccountFor(
  accountEmail: string,
  passwordDigest: string,
  params: ScryptParams = SCRYPT_PARAMS,
): Promise<LinkedAccount> {
  return { email: accountEmail.trim(), verifier: await createVerifier(passwordDigest, params) };
}

/**
 * Whether `email` and `passwordDigest` are the linked account's. The email is compared
 * without regard to case; the hash is computed even when the email differs, so the time
 * taken says nothing about which part was wrong.
 */
export async function verifyLinkedAccount(
  record: LinkedAccount,
  accountEmail: string,
  passwordDigest: string,
): Promise<boolean> {
  const parsed = parseVerifier(record.verifier);
  if (!parsed) return false;
  const candidate = await scryptHash(
    passwordDigest,
    parsed.salt,
    parsed.N,
    parsed.r,
    parsed.p,
    parsed.hash.length,
  );
  const hashMatches =
    candidate.length === parsed.hash.length && timingSafeEqual(candidate, parsed.hash);
  const emailMatches = timingSafeEqual(emailKey(record.email), emailKey(accountEmail));
  return hashMatches && emailMatches;
}

/** A fixed-length form of an email, so that comparing two takes the same time whatever they are. */
function emailKey(value: string): Buffer {
  return createHash('sha256').update(value.trim().toLowerCase(), 'utf8').digest();
}

interface ParsedVerifier {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function parseVerifier(verifier: string): ParsedVerifier | undefined {
  const match = VERIFIER.exec(verifier);
  if (!match) return undefined;
  const [N, r, p] = [match[1], match[2], match[3]].map(Number) as [number, number, number];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return undefined;
  const salt = Buffer.from(match[4] as string, 'base64url');
  const hash = Buffer.from(match[5] as string, 'base64url');
  return salt.length >= SALT_BYTES && hash.length >= HASH_BYTES
    ? { N, r, p, salt, hash }
    : undefined;
}

function scryptHash(
  secret: string,
  salt: Buffer,
  N: number,
  r: number,
  p: number,
  length = HASH_BYTES,
): Promise<Buffer> {
  // Node's default maxmem (32 MiB) is exactly 128·N·r for our defaults; leave headroom.
  const maxmem = 256 * N * r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, length, { N, r, p, maxmem }, (err, key) => {
      if (err)
        reject(new PrintosError('INTERNAL', `scrypt failed: ${err.message}`, undefined, err));
      else resolve(key);
    });
  });
}
