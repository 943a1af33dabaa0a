/**
 * Throw-away OS accounts for PAM tests: a random user with a random password, created with
 * useradd + chpasswd (the password on stdin, never in argv) and always removed afterwards.
 * Needs root; see skipUnlessRoot.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RunResult, run, runOk } from './process.js';

export { describeAsRoot, isRoot, rootSkipReason, skipUnlessRoot } from './root.js';

export interface OsUser {
  name: string;
  password: string;
}

/** Marks our accounts, so a run that crashed can be cleaned up by the next one. */
const MARKER = 'printos test user pid';

export interface OsUserOptions {
  /** A chosen password (no newline); a random one otherwise. */
  password?: string;
}

export async function withOsUser<T>(
  fn: (user: OsUser) => Promise<T>,
  options: OsUserOptions = {},
): Promise<T> {
  if (process.getuid?.() !== 0) throw new Error('withOsUser needs root (useradd, chpasswd)');
  const password = options.password ?? `Pw-${randomBytes(12).toString('base64url')}`;
  if (/[\n\r]/.test(password)) throw new Error('withOsUser: a password cannot hold a newline');
  await sweepStaleOsUsers();
  const name = `pxt${randomBytes(4).toString('hex')}`;
  await retryOnLock(() =>
    run('useradd', [
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      '--comment',
      `${MARKER} ${process.pid}`,
      name,
    ]),
  );
  try {
    await runOk('chpasswd', [], { input: `${name}:${password}\n`, timeoutMs: 10_000 });
    return await fn({ name, password });
  } finally {
    await deleteOsUser(name);
  }
}

export async function osUserExists(name: string): Promise<boolean> {
  const result = await run('getent', ['passwd', name]);
  return result.code === 0;
}

async function deleteOsUser(name: string): Promise<void> {
  const result = await retryOnLock(() => run('userdel', [name]), [0, 6]);
  // Exit 6: the user is already gone, which is what we wanted.
  if (await osUserExists(name)) throw new Error(`userdel ${name} left the user: ${result.stderr}`);
}

/** Removes accounts left by test processes that died before their cleanup ran. */
export async function sweepStaleOsUsers(): Promise<string[]> {
  const passwd = await run('getent', ['passwd']);
  const removed: string[] = [];
  for (const line of passwd.stdout.split('\n')) {
    const [name, , , , gecos] = line.split(':');
    const pid = Number(gecos?.startsWith(MARKER) ? gecos.slice(MARKER.length) : Number.NaN);
    if (!name || !Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue;
    await deleteOsUser(name);
    removed.push(name);
  }
  return removed;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The shadow tools lock /etc/passwd; tests in parallel workers can collide there, and the
 * tools then fail with "cannot lock" — worth a short retry, anything else is a real error.
 */
async function retryOnLock(
  attempt: () => Promise<RunResult>,
  okCodes: number[] = [0],
): Promise<RunResult> {
  for (let i = 0; ; i++) {
    const result = await attempt();
    if (result.code !== null && okCodes.includes(result.code)) return result;
    if (i >= 20 || !/lock/i.test(result.stderr)) {
      throw new Error(`user administration failed (${result.code}): ${result.stderr.trim()}`);
    }
    await sleep(50 + Math.floor(Math.random() * 100));
  }
}
