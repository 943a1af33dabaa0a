/**
 * CSRF and sessions: a token bound to the session and a same-site check on every state
 * change (on the loopback listener too), cookie flags, a new id at every login (no
 * fixation), idle and absolute expiry, revocation at logout and account switch.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, REMOTE, Visitor, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const LINKED = { email: 'owner@example.com', password: 'owner-pw' };
const STOP = '/printers/p-000001/emergency-stop';

describe('CSRF on the loopback listener', () => {
  it('accepts a form of the page itself', async () => {
    h = await webHarness({ linked: LINKED });
    const local = new Visitor(h.loopback);
    await local.get('/');
    const answer = await local.post(
      STOP,
      {},
      { origin: 'http://localhost:8008', 'sec-fetch-site': 'same-origin' },
    );
    expect(answer.status).toBe(303);
    expect(h.printers[0]?.actions).toEqual(['emergency-stop']);
  });

  it.each<[string, Record<string, string>, string | null]>([
    ['no token', {}, null],
    ['a wrong token', {}, 'x'.repeat(43)],
    ['an empty token', {}, ''],
    ['a foreign Origin', { origin: 'http://attacker.example' }, 'page'],
    ['Origin null', { origin: 'null' }, 'page'],
    ['an Origin on another port', { origin: 'http://localhost:8010' }, 'page'],
    ['an https Origin', { origin: 'https://localhost:8008' }, 'page'],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site' }, 'page'],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site' }, 'page'],
  ])('refuses a POST with %s', async (_name, headers, token) => {
    h = await webHarness({ linked: LINKED });
    const local = new Visitor(h.loopback);
    await local.get('/');
    const answer = await local.post(STOP, {}, headers, token === 'page' ? undefined : token);
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain('Prusa');
    expect(h.printers[0]?.actions).toEqual([]);
  });

  it.each([
    ['text/plain', 'a=1&_csrf=x'],
    ['application/json', '{"_csrf":"x"}'],
    ['multipart/form-data; boundary=x', '--x--\r\n'],
  ])('refuses a %s body on a form route', async (type, payload) => {
    h = await webHarness({ linked: LINKED });
    const local = new Visitor(h.loopback);
    const page = await local.get('/');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const answer = await local.send({
      method: 'POST',
      url: STOP,
      payload: payload.replace('x"', `${token}"`),
      headers: { 'content-type': type },
    });
    expect([403, 415]).toContain(answer.status);
    expect(h.printers[0]?.actions).toEqual([]);
  });

  it('refuses a token from another session', async () => {
    h = await webHarness({ linked: LINKED });
    const first = new Visitor(h.loopback);
    const second = new Visitor(h.loopback);
    await first.get('/');
    await second.get('/');
    const answer = await second.post(STOP, {}, {}, /value="([^"]+)"/.exec(first.last)?.[1] ?? '');
    expect(answer.status).toBe(403);
    expect(h.printers[0]?.actions).toEqual([]);
  });

  it('refuses a cross-site read of the live state', async () => {
    h = await webHarness({ linked: LINKED });
    const local = new Visitor(h.loopback);
    expect((await local.get('/ui/state', { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await local.get('/ui/state', { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
  });
});

describe('session cookies', () => {
  it('are HttpOnly and SameSite=Strict, without Secure on plain http', async () => {
    h = await webHarness({ linked: LINKED });
    const answer = await new Visitor(h.loopback).get('/');
    const cookie = answer.cookies.find((c) => c.name === 'printos_client');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('are Secure, host-only (__Host-) on the HTTPS listener', async () => {
    h = await webHarness({
      linked: LINKED,
      settings: { web: { external: true, httpPort: 18080, httpsPort: 18443 } },
    });
    const external = h.external;
    if (!external) throw new Error('no external app');
    const answer = await new Visitor(external, { peer: REMOTE, host: '127.0.0.1:18443' }).get(
      '/remote-login',
    );
    const cookie = answer.cookies.find((c) => c.name === '__Host-printos_client');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: true, path: '/' });
    expect(cookie).not.toHaveProperty('domain');
  });

  it('ignore a planted session id, and a sign-in gets a new id (no fixation)', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry' } });
    const attacker = new Visitor(h.loopback, { peer: '192.168.1.66' });
    await attacker.get('/remote-login');
    const planted = attacker.cookies.get('printos_client') as string;
    const victim = new Visitor(h.loopback, { peer: REMOTE });
    victim.cookies.set('printos_client', planted);
    await victim.get('/remote-login');
    const signIn = await victim.post('/remote-login', { user: 'pi', password: 'raspberry' });
    expect(signIn.location).toBe('/');
    const fresh = victim.cookies.get('printos_client');
    expect(fresh).toBeDefined();
    expect(fresh).not.toBe(planted);
    // The attacker's copy of the old id does not carry the victim's sign-in.
    expect((await attacker.get('/')).location).toBe('/remote-login');
    expect((await victim.get('/')).status).toBe(200);
  });

  it('an unknown or malformed cookie gets a new session', async () => {
    h = await webHarness({ linked: LINKED });
    const local = new Visitor(h.loopback);
    for (const value of ['abc', 'A'.repeat(43), '../../etc/passwd', 'x'.repeat(5000)]) {
      local.cookies.set('printos_client', value);
      const page = await local.get('/');
      expect(page.status).toBe(200);
      expect(local.cookies.get('printos_client')).not.toBe(value);
    }
  });

  it('expire when idle and after the absolute limit', async () => {
    let now = 1_000_000;
    h = await webHarness({
      linked: LINKED,
      os: { pi: 'raspberry' },
      now: () => now,
      limits: { sessionIdleMs: 60_000, sessionMaxMs: 150_000 },
    });
    const remote = new Visitor(h.loopback, { peer: REMOTE });
    await remote.get('/remote-login');
    await remote.post('/remote-login', { user: 'pi', password: 'raspberry' });
    now += 50_000;
    expect((await remote.get('/')).status).toBe(200);
    now += 50_000;
    expect((await remote.get('/')).status).toBe(200);
    now += 51_000; // under the idle limit since the last request, over the absolute one
    expect((await remote.get('/')).location).toBe('/remote-login');
    await remote.post('/remote-login', { user: 'pi', password: 'raspberry' });
    now += 61_000;
    expect((await remote.get('/')).location).toBe('/remote-login');
  });

  it('remote sign-out ends only that session', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry', ada: 'lovelace' } });
    const pi = new Visitor(h.loopback, { peer: REMOTE });
    const ada = new Visitor(h.loopback, { peer: '192.168.1.51' });
    for (const [visitor, user, password] of [
      [pi, 'pi', 'raspberry'],
      [ada, 'ada', 'lovelace'],
    ] as const) {
      await visitor.get('/remote-login');
      expect((await visitor.post('/remote-login', { user, password })).location).toBe('/');
    }
    const page = await pi.get('/');
    expect(page.body).toContain('Signed in as pi (OS account)');
    expect((await pi.post('/remote-logout')).location).toBe('/remote-login');
    expect((await pi.get('/')).location).toBe('/remote-login');
    expect((await ada.get('/')).status).toBe(200);
    expect(h.service.account?.email).toBe(LINKED.email);
  });
});
