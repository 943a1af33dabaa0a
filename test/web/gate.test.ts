/**
 * The access gate: local is the socket's peer only, the Host allowlist on the loopback
 * listener, remote peers see the remote-access screen before anything else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { registerApi } from '../../src/service/api.js';
import { type Harness, REMOTE, Visitor, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const LINKED = { email: 'owner@example.com', password: 'owner-pw' };

describe('the access gate', () => {
  it('lets a loopback peer in without the remote-access screen', async () => {
    h = await webHarness({ linked: LINKED });
    for (const peer of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) {
      const page = await new Visitor(h.loopback, { peer }).get('/');
      expect(page.status, peer).toBe(200);
      expect(page.body).toContain('Prusa MK3');
    }
  });

  it.each([
    '/',
    '/login',
    '/settings',
    '/printers/add',
    '/logout',
    '/printers/p-000001/cancel',
    '/static/live.js',
    '/no-such-page',
  ])('sends a remote peer from %s to the remote-access screen', async (path) => {
    h = await webHarness({ linked: LINKED });
    const answer = await new Visitor(h.loopback, { peer: REMOTE }).get(path);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/remote-login');
  });

  it('serves a remote peer the stylesheet the screen needs, and nothing else', async () => {
    h = await webHarness({ linked: LINKED });
    const remote = new Visitor(h.loopback, { peer: REMOTE });
    expect((await remote.get('/static/style.css')).status).toBe(200);
    const state = await remote.get('/ui/state');
    expect(state.status).toBe(401);
    expect(JSON.parse(state.body)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await remote.get('/ui/events')).status).toBe(401);
  });

  it('refuses every state change from an anonymous remote peer', async () => {
    h = await webHarness({ linked: LINKED });
    const remote = new Visitor(h.loopback, { peer: REMOTE });
    await remote.get('/remote-login');
    for (const path of ['/printers/p-000001/emergency-stop', '/logout', '/offline', '/login']) {
      const answer = await remote.post(path, {});
      expect(answer.status, path).toBe(401);
    }
    expect(h.printers[0]?.actions).toEqual([]);
    expect(h.service.account?.email).toBe(LINKED.email);
  });

  it.each([
    ['X-Forwarded-For', '127.0.0.1'],
    ['X-Real-Ip', '127.0.0.1'],
    ['Forwarded', 'for=127.0.0.1;proto=http;by=127.0.0.1'],
    ['X-Forwarded-For', '192.168.1.50, 127.0.0.1'],
    ['X-Client-Ip', '::1'],
  ])('ignores %s: %s from a remote peer', async (header, value) => {
    h = await webHarness({ linked: LINKED });
    const remote = new Visitor(h.loopback, { peer: REMOTE });
    const answer = await remote.get('/', { [header]: value });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/remote-login');
    const state = await remote.get('/ui/state', { [header]: value });
    expect(state.status).toBe(401);
  });

  it.each([
    'attacker.example:8008',
    'attacker.example',
    '192.168.1.50:8008',
    'localhost:9999',
    'localhost.attacker.example:8008',
    '127.0.0.1.nip.io:8008',
  ])('refuses Host %s on the loopback listener (DNS rebinding)', async (host) => {
    h = await webHarness({ linked: LINKED });
    const local = new Visitor(h.loopback, { host });
    for (const path of ['/', '/ui/state', '/login', '/static/style.css', '/api/status']) {
      const answer = await local.get(path, { origin: `http://${host}` });
      expect(answer.status, path).toBe(421);
      expect(answer.body).not.toContain('Prusa');
    }
    const post = await local.post('/printers/p-000001/emergency-stop', {}, {}, null);
    expect(post.status).toBe(421);
    expect(h.printers[0]?.actions).toEqual([]);
  });

  it('accepts the loopback names with the listener port', async () => {
    h = await webHarness({ linked: LINKED });
    for (const host of ['localhost:8008', '127.0.0.1:8008', '[::1]:8008', 'LocalHost:8008']) {
      expect((await new Visitor(h.loopback, { host }).get('/')).status, host).toBe(200);
    }
  });

  it('sends security headers and no stack traces', async () => {
    h = await webHarness({ linked: LINKED });
    const local = new Visitor(h.loopback);
    const page = await local.get('/');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['cache-control']).toBe('no-store');
    const missing = await local.get('/nope');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^text\/html/);
    expect(missing.body).not.toMatch(/at .*\.ts:\d+|node_modules/);
  });
});

describe('the CLI API on the loopback listener', () => {
  it('keeps /api/* with its bearer token and its own errors, beside the pages', async () => {
    h = await webHarness({
      linked: LINKED,
      registerLocalApi: (app, service) =>
        registerApi(app, {
          service,
          token: 'a'.repeat(64),
          cloudUrl: 'embedded',
          port: 8008,
          sendLogs: async () => {},
          version: '0.0.0-test',
        }),
    });
    const inject = (url: string, headers: Record<string, string> = {}) =>
      h.loopback.inject({ url, headers: { host: 'localhost:8008', ...headers } });
    const status = await inject('/api/status', { authorization: `Bearer ${'a'.repeat(64)}` });
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ account: { email: LINKED.email } });
    expect((await inject('/api/status')).statusCode).toBe(401);
    const unknown = await inject('/api/nope', { authorization: `Bearer ${'a'.repeat(64)}` });
    expect(unknown.statusCode).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    // A browser (Sec-Fetch-Site) never reaches the API, even with the token.
    const fromPage = await inject('/api/status', {
      authorization: `Bearer ${'a'.repeat(64)}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(fromPage.statusCode).toBe(403);
    // The pages still answer as pages.
    const page = await inject('/');
    expect(page.statusCode).toBe(200);
    expect((await inject('/nope')).headers['content-type']).toMatch(/^text\/html/);
  });
});
