import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNamespace, describeAsRoot, type Namespace } from './netns.js';
import {
  browseFromNamespace,
  browseModuleFromNamespace,
  launchBrowserInNamespace,
} from './ns-browser.js';
import { startTinyServer, type TinyServer } from './tiny-server.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/read-peer.ts', import.meta.url));

describeAsRoot('Chromium inside a network namespace', 'creates network namespaces', () => {
  let ns: Namespace & { close(): Promise<void> };
  let open: TinyServer;
  let local: TinyServer;
  let dir: string;

  beforeAll(async () => {
    [ns, open, local, dir] = await Promise.all([
      createNamespace(),
      startTinyServer('0.0.0.0'),
      startTinyServer('127.0.0.1'),
      mkdtemp(join(tmpdir(), 'printos-ns-browser-')),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ns?.close(), open?.close(), local?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs a flow of steps against a host server on 0.0.0.0, seen from nsAddress', async () => {
    const base = `http://${ns.hostAddress}:${open.port}`;
    const shot = join(dir, 'form.png');
    const result = await browseFromNamespace(ns, [
      { goto: `${base}/`, as: 'home' },
      { text: '#peer', as: 'peer' },
      { goto: `${base}/form` },
      { fill: '#name', value: 'Grace' },
      { click: '#go', navigates: true },
      { text: '#welcome', as: 'welcome' },
      { screenshot: shot },
    ]);
    expect(result).toMatchObject({
      ok: true,
      values: {
        home: { status: 200 },
        peer: `peer ${ns.nsAddress}`,
        welcome: 'Welcome Grace',
      },
    });
    expect(open.peers).toContain(ns.nsAddress);
    expect(open.peers).not.toContain('127.0.0.1');
    const png = await readFile(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('cannot reach a host server that listens on 127.0.0.1 only', async () => {
    const result = await browseFromNamespace(ns, [
      { goto: `http://${ns.hostAddress}:${local.port}/` },
    ]);
    expect(result).toMatchObject({ ok: false, failedStep: 0 });
    expect(result.ok ? '' : result.error).toMatch(/ERR_CONNECTION_REFUSED/);
    expect(local.peers).toEqual([]);
  });

  it('runs a module exporting async (page, arg) => result', async () => {
    const url = `http://${ns.hostAddress}:${open.port}/`;
    const result = await browseModuleFromNamespace(ns, FIXTURE, url);
    expect(result).toMatchObject({
      ok: true,
      value: { text: `peer ${ns.nsAddress}`, title: 'tiny' },
    });
  });

  it('gives the host a live Browser whose pages load from inside the namespace', async () => {
    const remote = await launchBrowserInNamespace(ns);
    try {
      const context = await remote.browser.newContext();
      const page = await context.newPage();
      await page.goto(`http://${ns.hostAddress}:${open.port}/`);
      expect(await page.textContent('#peer')).toBe(`peer ${ns.nsAddress}`);
      const refused = await page.goto(`http://${ns.hostAddress}:${local.port}/`).then(
        () => 'loaded',
        (err: Error) => err.message,
      );
      expect(refused).toMatch(/ERR_CONNECTION_REFUSED/);
    } finally {
      await remote.close();
    }
  });
});
