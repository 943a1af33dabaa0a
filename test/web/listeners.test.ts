/**
 * The listeners over real sockets: the loopback one always, and with external access an
 * HTTPS one with a generated self-signed certificate (key mode 0600) and an HTTP one
 * that redirects to it for the machine's own names only.
 */
import { X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, ca?: string): Promise<Reply> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    // With `ca`, the chain is verified; the name is the Host header's, checked by the server.
    const tls = ca ? { ca, checkServerIdentity: () => undefined } : {};
    const req = request(url, { headers, ...tls }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('the loopback listener', () => {
  it('listens on 127.0.0.1 only, and external access is off on the desktop profile', async () => {
    h = await webHarness({ offline: true, anyPorts: true });
    await h.server.start();
    expect(h.server.urls.local).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.server.urls.external).toEqual([]);
    expect(h.loopback.server.address()).toMatchObject({ address: '127.0.0.1' });
    const page = await get(`${h.server.urls.local}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Printers');
    const rebound = await get(`${h.server.urls.local}/`, { host: 'attacker.example' });
    expect(rebound.status).toBe(421);
  });
});

describe('opening the browser', () => {
  it('opens the local URL when asked and the setting allows, never by itself', async () => {
    const opened: string[] = [];
    h = await webHarness({ offline: true, anyPorts: true, openBrowser: (url) => opened.push(url) });
    await h.server.start();
    expect(opened).toEqual([]);
    h.server.openBrowser();
    expect(opened).toEqual([h.server.urls.local]);
    await h.close();
    opened.length = 0;
    h = await webHarness({
      offline: true,
      anyPorts: true,
      settings: { web: { openBrowser: false } },
      openBrowser: (url) => opened.push(url),
    });
    await h.server.start();
    h.server.openBrowser();
    expect(opened).toEqual([]);
  });
});

describe('external access', () => {
  it('serves HTTPS with a generated certificate for this machine, key mode 0600', async () => {
    h = await webHarness({ offline: true, anyPorts: true, settings: { web: { profile: 'rpi' } } });
    await h.server.start();
    const certPath = join(h.dir, 'web-cert.pem');
    const cert = await readFile(certPath, 'utf8');
    expect((await stat(join(h.dir, 'web-key.pem'))).mode & 0o777).toBe(0o600);
    const x509 = new X509Certificate(cert);
    expect(x509.subjectAltName).toContain(`DNS:${hostname().toLowerCase()}`);
    expect(x509.subjectAltName).toContain('IP Address:127.0.0.1');
    expect(x509.subjectAltName).toContain('DNS:localhost');
    expect(h.server.urls.external[0]).toMatch(/^https:\/\/.+:\d+$/);
    const port = portOf(h.server.urls.external[0] as string);
    const page = await get(`https://localhost:${port}/`, {}, cert);
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });

  it('redirects HTTP to HTTPS for its own names only', async () => {
    h = await webHarness({ offline: true, anyPorts: true, settings: { web: { external: true } } });
    await h.server.start();
    const httpPort = await listenerPort(h, 'redirect');
    const httpsPort = await listenerPort(h, 'external');
    const redirect = await get(`http://127.0.0.1:${httpPort}/login?x=1`);
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe(`https://127.0.0.1:${httpsPort}/login?x=1`);
    const foreign = await get(`http://127.0.0.1:${httpPort}/`, { host: 'attacker.example' });
    expect(foreign.status).toBe(421);
    expect(foreign.headers.location).toBeUndefined();
  });

  it('refuses foreign Host names on the HTTPS listener', async () => {
    h = await webHarness({
      offline: true,
      anyPorts: true,
      settings: { web: { external: true, allowedHosts: ['printer.example.com'] } },
    });
    await h.server.start();
    const port = await listenerPort(h, 'external');
    const cert = await readFile(join(h.dir, 'web-cert.pem'), 'utf8');
    const via = (host: string) => get(`https://127.0.0.1:${port}/static/style.css`, { host }, cert);
    expect((await via('attacker.example')).status).toBe(421);
    expect((await via(`printer.example.com:${port}`)).status).toBe(200);
    expect((await via(`${hostname().toLowerCase()}.local:${port}`)).status).toBe(200);
  });
});

async function listenerPort(harness: Harness, which: 'external' | 'redirect'): Promise<number> {
  const apps = await harness.server.prepare();
  const address = apps[which]?.server.address();
  if (!address || typeof address !== 'object') throw new Error(`${which} is not listening`);
  return address.port;
}
