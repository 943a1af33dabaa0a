import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createNamespace,
  curlFromNamespace,
  describeAsRoot,
  type Namespace,
  namespaceListed,
  sweepStaleNamespaces,
  withNamespace,
} from './netns.js';
import { processAlive } from './os-user.js';
import { run } from './process.js';
import { startTinyServer, type TinyServer } from './tiny-server.js';

async function namespaces(): Promise<string> {
  return (await run('ip', ['netns', 'list'])).stdout;
}

async function linkExists(name: string): Promise<boolean> {
  return (await run('ip', ['link', 'show', name])).code === 0;
}

describeAsRoot('a network namespace as a remote machine', 'creates network namespaces', () => {
  let ns: Namespace & { close(): Promise<void> };
  let open: TinyServer;
  let local: TinyServer;

  beforeAll(async () => {
    [ns, open, local] = await Promise.all([
      createNamespace(),
      startTinyServer('0.0.0.0'),
      startTinyServer('127.0.0.1'),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ns?.close(), open?.close(), local?.close()]);
  });

  it('has a veth pair on a private /30 and lo up inside', async () => {
    expect(ns.hostAddress).toMatch(/^10\.\d+\.\d+\.1$/);
    expect(ns.nsAddress).toBe(ns.hostAddress.replace(/\.1$/, '.2'));
    const inside = await ns.exec(['ip', '-o', '-4', 'addr', 'show']);
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain(`inet ${ns.nsAddress}/30`);
    expect(inside.stdout).toMatch(/\blo\b.*inet 127\.0\.0\.1/);
    const host = await run('ip', ['-o', '-4', 'addr', 'show', 'dev', ns.hostInterface]);
    expect(host.stdout).toContain(`inet ${ns.hostAddress}/30`);
  });

  it('curl inside reaches a host server on 0.0.0.0, which sees nsAddress as the peer', async () => {
    const answer = await curlFromNamespace(ns, `http://${ns.hostAddress}:${open.port}/`, [
      '-H',
      'X-Forwarded-For: 127.0.0.1',
    ]);
    expect(answer).toMatchObject({ code: 0, status: 200 });
    expect(answer.headers['content-type']).toEqual(['text/html; charset=utf-8']);
    expect(answer.body).toContain(`peer ${ns.nsAddress}`);
    expect(open.peers.at(-1)).toBe(ns.nsAddress);
  });

  it('a host server on 127.0.0.1 is unreachable from inside', async () => {
    const before = local.peers.length;
    const viaVeth = await curlFromNamespace(ns, `http://${ns.hostAddress}:${local.port}/`);
    expect(viaVeth).toMatchObject({ code: 7, status: null });
    // The namespace's own loopback is not the host's either.
    const viaLo = await curlFromNamespace(ns, `http://127.0.0.1:${local.port}/`);
    expect(viaLo).toMatchObject({ code: 7, status: null });
    expect(local.peers.length).toBe(before);
  });

  it('has no route anywhere but the host end', async () => {
    const routes = await ns.exec(['ip', '-4', 'route', 'show']);
    expect(routes.stdout.trim().split('\n')).toHaveLength(1);
    expect(routes.stdout).not.toContain('default');
  });

  it('exec reports exit codes and takes input', async () => {
    const result = await ns.exec(['sh', '-c', 'cat; exit 3'], { input: 'hello' });
    expect(result).toMatchObject({ code: 3, stdout: 'hello' });
  });
});

describeAsRoot('namespace cleanup', 'creates network namespaces', () => {
  it('removes the namespace, the veth and the processes inside, also when fn throws', async () => {
    let seen: { name: string; hostInterface: string; pid: number } | undefined;
    const failure = withNamespace(async (ns) => {
      const sleeper = ns.spawn(['sleep', '60']);
      seen = { name: ns.name, hostInterface: ns.hostInterface, pid: sleeper.pid ?? -1 };
      expect(namespaceListed(await namespaces(), ns.name)).toBe(true);
      throw new Error('test failure inside');
    });
    await expect(failure).rejects.toThrow('test failure inside');
    if (!seen) throw new Error('fn did not run');
    expect(namespaceListed(await namespaces(), seen.name)).toBe(false);
    expect(await linkExists(seen.hostInterface)).toBe(false);
    await expect.poll(() => processAlive(seen?.pid ?? -1)).toBe(false);
  });

  it('sweeps namespaces left by a test process that died', async () => {
    const dead = spawn('true');
    const pid = await new Promise<number>((done) => dead.on('exit', () => done(dead.pid ?? 0)));
    const stale = `printos-t-${pid}-abc123`;
    expect((await run('ip', ['netns', 'add', stale])).code).toBe(0);
    try {
      // Another test file's sweep may get there first; either way the namespace must be gone.
      await sweepStaleNamespaces();
      expect(namespaceListed(await namespaces(), stale)).toBe(false);
    } finally {
      await run('ip', ['netns', 'del', stale]);
    }
  });
});
