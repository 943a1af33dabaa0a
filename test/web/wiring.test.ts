/**
 * The wiring the composition root uses (createClientWebServer): the real data-directory
 * files (linked account record, settings, printers list), the CLI API under /api/, and
 * one listener on loopback for both.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSettings } from '../../src/config/settings.js';
import { silentLogger } from '../../src/core/log.js';
import { registerApi } from '../../src/service/api.js';
import { linkedAccountFor, saveLinkedAccount } from '../../src/service/credentials.js';
import { dataPaths, ensureDataDir } from '../../src/service/data-dir.js';
import { passwordDigest } from '../../src/streamer-api/index.js';
import { cloudSiteUrl, createClientWebServer, type WebServer } from '../../src/web/index.js';
import { REMOTE, Visitor, webHarness } from './harness.js';

let server: WebServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createClientWebServer', () => {
  it('serves the pages and the CLI API on one loopback port, with the data directory files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'printos-wiring-'));
    const paths = dataPaths(dir);
    await ensureDataDir(paths);
    await saveLinkedAccount(
      paths.account,
      await linkedAccountFor('owner@example.com', passwordDigest('owner-pw'), {
        N: 1024,
        r: 8,
        p: 1,
      }),
    );
    // The service of a harness (fake printers and cloud), wired as app-service.ts would.
    const harness = await webHarness({
      linked: { email: 'owner@example.com', password: 'owner-pw' },
    });
    const token = 'b'.repeat(64);
    const online: string[] = [];
    server = createClientWebServer({
      service: harness.service,
      settings: { ...parseSettings({}), local: { port: 0 } },
      paths,
      log: silentLogger(),
      cloudUrl: 'https://cli-cloud.example.com',
      onlineLogin: async (email) => {
        online.push(email);
      },
      registerLocalApi: (app) =>
        registerApi(app, {
          service: harness.service,
          token,
          cloudUrl: 'embedded',
          port: 0,
          sendLogs: async () => {},
          version: '0.0.0-test',
        }),
      openBrowser: false,
      listPorts: async () => [{ path: '/dev/ttyACM0', vid: '2C99', pid: '0002' }],
      pam: { check: async () => false },
    });
    await server.start();
    const base = server.urls.local;
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Prusa MK3');
    const api = await fetch(`${base}/api/status`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(await api.json()).toMatchObject({ account: { email: 'owner@example.com' } });
    const ports = await fetch(`${base}/printers/add`);
    expect(await ports.text()).toContain('Original Prusa i3 MK3');

    const apps = await server.prepare();
    const remote = new Visitor(apps.loopback, { peer: REMOTE, host: 'localhost' });
    await remote.get('/remote-login');
    expect(
      (await remote.post('/remote-login', { user: 'owner@example.com', password: 'owner-pw' }))
        .location,
    ).toBe('/');
    expect(online).toEqual(['owner@example.com']);
    const login = await new Visitor(apps.loopback, { host: 'localhost' }).get('/');
    expect(login.status).toBe(200);
    await harness.close();
  });

  it('links to the cloud site without the client endpoint prefix', () => {
    expect(cloudSiteUrl('https://cli-cloud.3dprinteros.com/')).toBe(
      'https://cloud.3dprinteros.com',
    );
    expect(cloudSiteUrl('http://127.0.0.1:8010')).toBe('http://127.0.0.1:8010');
    expect(cloudSiteUrl('https://cloud.example.com:8443/base')).toBe(
      'https://cloud.example.com:8443',
    );
  });
});
