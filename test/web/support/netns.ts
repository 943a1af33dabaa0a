/**
 * A "remote machine" for the web tests: a network namespace joined to the host by a veth
 * pair on a private /30. A program inside reaches the host only at hostAddress, so a host
 * server sees it as a non-loopback peer (nsAddress) — what screen 1 keys on. Needs root.
 *
 * Everything is removed afterwards, also when the test fails: the processes started inside,
 * the veth pair and the namespace. A run that died before its cleanup is swept by the next.
 */
import { type ChildProcess, spawn, type SpawnOptions } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive } from './os-user.js';
import { type RunOptions, type RunResult, run, runOk } from './process.js';

export { describeAsRoot, isRoot, rootSkipReason, skipUnlessRoot } from './root.js';

export interface Namespace {
  name: string;
  /** The host's end of the veth pair: where a program inside reaches the host. */
  hostAddress: string;
  /** The namespace's end: the peer address a host server sees. */
  nsAddress: string;
  hostInterface: string;
  nsInterface: string;
  /** Runs a command inside the namespace and collects its output. */
  exec(cmd: string[], options?: RunOptions): Promise<RunResult>;
  /** Starts a command inside; it is killed when the namespace goes away. */
  spawn(cmd: string[], options?: SpawnOptions): ChildProcess;
}

const PREFIX = 'printos-t';

/** Runs fn with a fresh namespace and always removes it afterwards. */
export async function withNamespace<T>(fn: (ns: Namespace) => Promise<T>): Promise<T> {
  const ns = await createNamespace();
  try {
    return await fn(ns);
  } finally {
    await ns.close();
  }
}

/**
 * The same as withNamespace for a namespace shared by a whole test file: create it in
 * beforeAll, close() it in afterAll (close is idempotent).
 */
export async function createNamespace(): Promise<Namespace & { close(): Promise<void> }> {
  if (process.getuid?.() !== 0) throw new Error('a network namespace needs root (ip netns)');
  await sweepStaleNamespaces();
  const id = randomBytes(3).toString('hex');
  const name = `${PREFIX}-${process.pid}-${id}`;
  const hostInterface = `pxh${id}`;
  const children = new Set<ChildProcess>();
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= teardown(name, hostInterface, children);
    return closed;
  };
  await runOk('ip', ['netns', 'add', name]);
  try {
    const subnet = await freeSubnet();
    const ns = namespace(name, subnet, hostInterface, `pxn${id}`, children);
    await wire(ns);
    return { ...ns, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function namespace(
  name: string,
  subnet: string,
  hostInterface: string,
  nsInterface: string,
  children: Set<ChildProcess>,
): Namespace {
  const inside = (cmd: string[]) => ['netns', 'exec', name, ...cmd];
  return {
    name,
    hostAddress: `${subnet}.1`,
    nsAddress: `${subnet}.2`,
    hostInterface,
    nsInterface,
    exec: (cmd, options) => run('ip', inside(cmd), options),
    spawn(cmd, options = {}) {
      // `ip netns exec` execs the command, so the child's pid is the command's own.
      const child = spawn('ip', inside(cmd), { stdio: 'pipe', ...options });
      children.add(child);
      child.on('exit', () => children.delete(child));
      return child;
    },
  };
}

async function wire(ns: Namespace): Promise<void> {
  const host = ns.hostInterface;
  const peer = ns.nsInterface;
  await runOk('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer]);
  await runOk('ip', ['link', 'set', peer, 'netns', ns.name]);
  await runOk('ip', ['addr', 'add', `${ns.hostAddress}/30`, 'dev', host]);
  await runOk('ip', ['link', 'set', host, 'up']);
  const inside = (args: string[]) => runOk('ip', ['netns', 'exec', ns.name, 'ip', ...args]);
  await inside(['addr', 'add', `${ns.nsAddress}/30`, 'dev', peer]);
  await inside(['link', 'set', peer, 'up']);
  await inside(['link', 'set', 'lo', 'up']);
}

async function teardown(name: string, hostInterface: string, children: Set<ChildProcess>) {
  for (const child of children) child.kill('SIGKILL');
  // Anything else left inside (a grandchild of ours) holds the namespace open: end it too.
  await killInside(name);
  await run('ip', ['link', 'del', hostInterface]);
  const result = await run('ip', ['netns', 'del', name]);
  const left = (await run('ip', ['netns', 'list'])).stdout;
  if (namespaceListed(left, name)) {
    throw new Error(`ip netns del ${name} left the namespace: ${result.stderr.trim()}`);
  }
}

async function killInside(name: string): Promise<void> {
  const pids = (await run('ip', ['netns', 'pids', name])).stdout.split(/\s+/).filter(Boolean);
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export function namespaceListed(list: string, name: string): boolean {
  return list.split('\n').some((line) => line.split(' ')[0] === name);
}

/** Namespaces of ours whose test process is gone (a crash, a kill -9): deleted. */
export async function sweepStaleNamespaces(): Promise<string[]> {
  const list = (await run('ip', ['netns', 'list'])).stdout;
  const removed: string[] = [];
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${PREFIX}-(\\d+)-([0-9a-f]{6})$`).exec(name);
    if (!match || processAlive(Number(match[1]))) continue;
    await teardown(name, `pxh${match[2]}`, new Set());
    removed.push(name);
  }
  return removed;
}

/**
 * A random 10.x.y.0/30 that no address or route on the host touches, so the namespace's
 * traffic cannot be confused with a real network. Returns its first three octets.
 */
async function freeSubnet(): Promise<string> {
  const taken = await hostPrefixes();
  for (let i = 0; i < 100; i++) {
    const base = [10, randomInt(16, 250), randomInt(0, 256), 0];
    if (taken.some((prefix) => overlaps(prefix, toNumber(base), 30))) continue;
    return base.slice(0, 3).join('.');
  }
  throw new Error('no free 10.x.y.0/30 subnet found for the namespace');
}

interface Prefix {
  network: number;
  bits: number;
}

async function hostPrefixes(): Promise<Prefix[]> {
  const addresses = (await runOk('ip', ['-o', '-4', 'addr', 'show'])).stdout;
  const routes = (await runOk('ip', ['-4', 'route', 'show', 'table', 'all'])).stdout;
  const found: Prefix[] = [];
  for (const match of `${addresses}\n${routes}`.matchAll(/(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/g)) {
    const parts = (match[1] as string).split('.').map(Number);
    const bits = match[2] === undefined ? 32 : Number(match[2]);
    if (bits === 0) continue; // the default route covers everything and says nothing
    found.push({ network: toNumber(parts), bits });
  }
  return found;
}

function toNumber(parts: number[]): number {
  return parts.reduce((n, part) => n * 256 + part, 0);
}

function overlaps(prefix: Prefix, network: number, bits: number): boolean {
  const shorter = Math.min(prefix.bits, bits);
  const mask = shorter === 0 ? 0 : (0xffffffff << (32 - shorter)) >>> 0;
  return (prefix.network & mask) >>> 0 === (network & mask) >>> 0;
}

export interface CurlResult {
  /** curl's exit code: 0, or e.g. 7 (connection refused), 28 (timed out). */
  code: number | null;
  /** The HTTP status, or null when no answer came. */
  status: number | null;
  headers: Record<string, string[]>;
  body: string;
  /** curl's error text (empty on success). */
  stderr: string;
}

/**
 * curl run inside the namespace: `curlArgs` go before the URL (e.g. ['-X', 'POST', '-H',
 * 'X-Forwarded-For: 127.0.0.1']). No redirect is followed unless the args say -L.
 */
export async function curlFromNamespace(
  ns: Namespace,
  url: string,
  curlArgs: string[] = [],
  options: { timeoutMs?: number } = {},
): Promise<CurlResult> {
  const dir = await mkdtemp(join(tmpdir(), 'printos-curl-'));
  try {
    const bodyFile = join(dir, 'body');
    const seconds = String((options.timeoutMs ?? 5_000) / 1000);
    const args = ['curl', '-sS', '--max-time', seconds, '-o', bodyFile];
    const writeOut = '{"status":%{http_code},"headers":%{header_json}}';
    const result = await ns.exec([...args, '-w', writeOut, ...curlArgs, '--', url], {
      timeoutMs: (options.timeoutMs ?? 5_000) + 5_000,
    });
    const info = parseWriteOut(result.stdout);
    const body = await readFile(bodyFile, 'utf8').catch(() => '');
    return { code: result.code, ...info, body, stderr: result.stderr.trim() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function parseWriteOut(stdout: string): Pick<CurlResult, 'status' | 'headers'> {
  try {
    const parsed = JSON.parse(stdout) as { status: number; headers: Record<string, string[]> };
    return { status: parsed.status === 0 ? null : parsed.status, headers: parsed.headers ?? {} };
  } catch {
    return { status: null, headers: {} };
  }
}
