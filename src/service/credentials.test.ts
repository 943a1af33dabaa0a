import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { passwordDigest } from '../streamer-api/index.js';
import {
  createVerifier,
  forgetCredentials,
  forgetLinkedAccount,
  linkedAccountFor,
  loadCredentials,
  loadLinkedAccount,
  saveCredentials,
  saveLinkedAccount,
  verifyLinkedAccount,
} from './credentials.js';

/** Cheap scrypt parameters for tests; the format and checks are the same. */
const FAST = { N: 1024, r: 8, p: 1 };
const DIGEST = passwordDigest('correct horse');

function capturingLogger() {
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
  return { log, lines };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-cred-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Autologin credentials', () => {
  it('round-trip through a 0600 file, written atomically', async () => {
    const path = join(dir, 'credentials.json');
    const { log } = capturingLogger();
    await saveCredentials(path, { email: 'ada@example.com', passwordDigest: DIGEST });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['credentials.json']);
    expect(await loadCredentials(path, log)).toEqual({
      email: 'ada@example.com',
      passwordDigest: DIGEST,
    });
    await forgetCredentials(path);
    expect(await loadCredentials(path, log)).toBeNull();
    await forgetCredentials(path);
  });

  it('are null when never saved', async () => {
    expect(await loadCredentials(join(dir, 'none'), capturingLogger().log)).toBeNull();
  });

  it.each([
    ['not JSON', 'garbage'],
    ['truncated', '{"email":"a@b.c","passwordDig'],
    ['wrong shape', '{"login":"a","password":"b"}'],
    ['a plain password', JSON.stringify({ email: 'a@b.c', passwordDigest: 'hunter2' })],
    ['not an object', '[]'],
  ])(
    'that are corrupt (%s) are null, removed, and warned about without their content',
    async (_n, text) => {
      const path = join(dir, 'credentials.json');
      await writeFile(path, text, { mode: 0o600 });
      const { log, lines } = capturingLogger();
      expect(await loadCredentials(path, log)).toBeNull();
      expect(await readdir(dir)).toEqual([]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('corrupt');
      expect(lines[0]).not.toContain('hunter2');
    },
  );

  it('refuses to save a password instead of its digest', async () => {
    const path = join(dir, 'credentials.json');
    await expect(
      saveCredentials(path, { email: 'a@b.c', passwordDigest: 'hunter2' }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readdir(dir)).toEqual([]);
  });

  it('closes a file others can read, with a warning', async () => {
    const path = join(dir, 'credentials.json');
    await writeFile(path, JSON.stringify({ email: 'a@b.c', passwordDigest: DIGEST }), {
      mode: 0o644,
    });
    const { log, lines } = capturingLogger();
    expect(await loadCredentials(path, log)).not.toBeNull();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(lines).toHaveLength(1);
  });
});

describe('linked account', () => {
  it('verifier has the scrypt$N$r$p$salt$hash form, salted at random', async () => {
    const a = await createVerifier(DIGEST, FAST);
    const b = await createVerifier(DIGEST, FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(DIGEST);
  });

  it('uses costly parameters by default', async () => {
    expect(await createVerifier(DIGEST)).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('verifies the right credentials, the email in any case', async () => {
    const record = await linkedAccountFor(' Ada@Example.com ', DIGEST, FAST);
    expect(record.email).toBe('Ada@Example.com');
    expect(await verifyLinkedAccount(record, 'ada@example.com', DIGEST)).toBe(true);
    expect(await verifyLinkedAccount(record, 'ADA@EXAMPLE.COM', DIGEST)).toBe(true);
  });

  it.each([
    ['a wrong password', 'ada@example.com', passwordDigest('wrong')],
    ['another account', 'bob@example.com', DIGEST],
    ['an empty digest', 'ada@example.com', ''],
    ['the digest in upper case', 'ada@example.com', DIGEST.toUpperCase()],
  ])('refuses %s', async (_name, email, digest) => {
    const record = await linkedAccountFor('ada@example.com', DIGEST, FAST);
    expect(await verifyLinkedAccount(record, email, digest)).toBe(false);
  });

  it.each([
    ['a bad format', 'plain'],
    [
      'N not a power of two',
      'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
    [
      'a huge N',
      'scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
    [
      'a huge r',
      'scrypt$1024$999$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
  ])('refuses a verifier with %s', async (_name, verifier) => {
    expect(await verifyLinkedAccount({ email: 'a@b.c', verifier }, 'a@b.c', DIGEST)).toBe(false);
  });

  it('round-trips the record through a 0600 file and forgets it', async () => {
    const path = join(dir, 'account.json');
    const { log } = capturingLogger();
    const record = await linkedAccountFor('ada@example.com', DIGEST, FAST);
    await saveLinkedAccount(path, record);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).not.toContain(DIGEST);
    const loaded = await loadLinkedAccount(path, log);
    expect(loaded).toEqual(record);
    expect(loaded && (await verifyLinkedAccount(loaded, 'ada@example.com', DIGEST))).toBe(true);
    await forgetLinkedAccount(path);
    expect(await loadLinkedAccount(path, log)).toBeNull();
  });

  it('treats a corrupt record as none, and removes it', async () => {
    const path = join(dir, 'account.json');
    await writeFile(path, JSON.stringify({ email: 'a@b.c', verifier: 'md5$x' }), { mode: 0o600 });
    const { log, lines } = capturingLogger();
    expect(await loadLinkedAccount(path, log)).toBeNull();
    expect(await readdir(dir)).toEqual([]);
    expect(lines).toHaveLength(1);
  });
});
