/**
 * Fresh re-authentication (security.md attack 9): a remote session whose last password
 * proof is older than 5 minutes is sent to /confirm-identity before network or cloud
 * settings change, logout, an account switch or removing a printer; loopback is never
 * asked. Open-redirect payloads in `next` (attack 10) end on `/`. A fake clock throughout.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Settings } from '../../src/config/settings.js';
import { loadSettings } from '../../src/config/settings-file.js';
import { loadPrinters } from '../../src/service/printers-list.js';
import { type Harness, type HarnessOptions, REMOTE, Visitor, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };
const OS = { pi: 'raspberry' };
const MINUTE = 60_000;

/** A harness on a fake clock, `advance` moving it. */
async function clocked(options: HarnessOptions = {}) {
  let now = 1_800_000_000_000;
  h = await webHarness({ linked: OWNER, os: OS, now: () => now, ...options });
  return {
    advance: (ms: number) => {
      now += ms;
    },
  };
}

async function signedIn(user = 'pi', password = OS.pi, peer = REMOTE): Promise<Visitor> {
  const remote = new Visitor(h.loopback, { peer });
  await remote.get('/remote-login');
  const answer = await remote.post('/remote-login', { user, password });
  expect(answer.location).toBe('/');
  return remote;
}

/** The settings form as the page fills it, with `change` applied. */
function settingsForm(s: Settings, change: Record<string, string | undefined> = {}) {
  const form: Record<string, string | undefined> = {
    profile: s.web.profile,
    external: s.web.external === null ? '' : s.web.external ? 'on' : 'off',
    httpPort: String(s.web.httpPort),
    httpsPort: String(s.web.httpsPort),
    certFile: s.web.certFile ?? '',
    keyFile: s.web.keyFile ?? '',
    allowedHosts: s.web.allowedHosts.join(' '),
    cloudUrl: s.cloud.url,
    openBrowser: s.web.openBrowser ? 'on' : undefined,
    autologin: s.autologin ? 'on' : undefined,
    updateEnabled: s.update.enabled ? 'on' : undefined,
    updateHours: String(s.update.checkIntervalHours),
    ...change,
  };
  return Object.fromEntries(
    Object.entries(form).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

async function postSettings(v: Visitor, change: Record<string, string | undefined>) {
  await v.get('/settings');
  return v.post('/settings', settingsForm(await loadSettings(h.paths.settings), change));
}

async function auditLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(h.paths.logs, 'web-audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const REAUTH = (next: string) => `/confirm-identity?next=${encodeURIComponent(next)}`;

describe('a remote session 6 minutes after sign-in', () => {
  it.each([
    ['external access', { external: 'on' }],
    ['the cloud URL', { cloudUrl: 'https://cloud.example.com' }],
    ['the HTTPS port', { httpsPort: '8443' }],
    ['the allowed host names', { allowedHosts: 'farm.example.com' }],
    ['the profile', { profile: 'rpi' }],
  ])('cannot change %s: sent to the re-auth page, nothing saved', async (_name, change) => {
    const clock = await clocked();
    const remote = await signedIn();
    const before = await loadSettings(h.paths.settings);
    clock.advance(6 * MINUTE);
    const answer = await postSettings(remote, change);
    expect(answer.status).toBe(303);
    expect(answer.location).toBe(REAUTH('/settings'));
    expect(await loadSettings(h.paths.settings)).toEqual(before);
    const page = await remote.follow(answer);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<h1>Confirm your identity</h1>');
    expect(page.body).toContain('You are signed in as <strong>pi</strong>');
    expect(page.body).toContain('<strong>change network or cloud settings</strong>');
    expect(page.body).toContain('<input type="hidden" name="next" value="/settings">');
    expect(page.body).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('cannot log out (the service keeps running)', async () => {
    const clock = await clocked();
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    await remote.get('/logout');
    const answer = await remote.post('/logout');
    expect(answer.location).toBe(REAUTH('/logout'));
    expect(h.shutdowns).toEqual([]);
    expect(h.service.account?.email).toBe(OWNER.email);
    expect(h.printers[0]?.actions).toEqual([]);
    expect((await remote.follow(answer)).body).toContain(
      '<strong>log out and stop the client service</strong>',
    );
  });

  it('cannot confirm an account switch (the warning shows again after the re-auth)', async () => {
    const clock = await clocked({ loggedIn: false, cloud: { 'new@example.com': 'new-pw' } });
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    await remote.get('/login');
    const warning = await remote.post('/login', { email: 'new@example.com', password: 'new-pw' });
    expect(warning.body).toContain('unlinks every printer');
    // The cloud checked the password before the warning; the refused confirmation asks nothing.
    expect(h.cloudLogins).toEqual(['new@example.com']);
    const answer = await remote.post('/login/confirm', { action: 'confirm' });
    expect(answer.location).toBe(REAUTH('/login/confirm'));
    expect(h.service.account).toBeNull();
    expect(h.cloudLogins).toEqual(['new@example.com']);
    const page = await remote.follow(answer);
    expect(page.body).toContain('switch the cloud account to new@example.com');
    const back = await remote.post('/confirm-identity', {
      password: OS.pi,
      next: '/login/confirm',
    });
    expect(back.location).toBe('/login/confirm');
    const again = await remote.follow(back);
    expect(again.body).toContain('Identity confirmed. Submit the form again.');
    expect(again.body).toContain('Linking <strong>new@example.com</strong> unlinks every printer');
    expect((await remote.post('/login/confirm', { action: 'confirm' })).location).toBe('/');
    expect(h.service.account?.email).toBe('new@example.com');
  });

  it('cannot remove a printer; after the re-auth it can', async () => {
    const clock = await clocked({ printers: [] });
    const local = new Visitor(h.loopback);
    await local.get('/printers/add');
    await local.post('/printers/add', { port: '/dev/ttyUSB7', name: 'Old one' });
    const [entry] = await loadPrinters(h.paths.printers);
    const id = entry?.id as string;
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    await remote.get(`/printers/${id}/remove`);
    const answer = await remote.post(`/printers/${id}/remove`);
    expect(answer.location).toBe(REAUTH(`/printers/${id}/remove`));
    expect(await loadPrinters(h.paths.printers)).toHaveLength(1);
    expect((await remote.follow(answer)).body).toContain(
      '<strong>remove the printer Old one</strong>',
    );
    const back = await remote.post('/confirm-identity', {
      password: OS.pi,
      next: `/printers/${id}/remove`,
    });
    expect(back.location).toBe(`/printers/${id}/remove`);
    expect((await remote.follow(back)).body).toContain('Remove Old one?');
    expect((await remote.post(`/printers/${id}/remove`)).location).toBe('/');
    expect(await loadPrinters(h.paths.printers)).toEqual([]);
  });

  it('refuses a wrong password there, audits it, and lets the next attempt through after the right one', async () => {
    const clock = await clocked();
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    const asked = await postSettings(remote, { external: 'on' });
    await remote.follow(asked);
    const cookieBefore = remote.cookies.get('printos_client');
    const wrong = await remote.post('/confirm-identity', { password: 'nope', next: '/settings' });
    expect(wrong.status).toBe(401);
    expect(/role="alert">([^<]*)</.exec(wrong.body)?.[1]).toBe('Wrong password.');
    expect((await postSettings(remote, { external: 'on' })).location).toBe(REAUTH('/settings'));
    expect((await loadSettings(h.paths.settings)).web.external).toBeNull();

    await remote.get(REAUTH('/settings'));
    const right = await remote.post('/confirm-identity', { password: OS.pi, next: '/settings' });
    expect(right.location).toBe('/settings');
    // A new session id with the raised trust.
    expect(remote.cookies.get('printos_client')).not.toBe(cookieBefore);
    const page = await remote.follow(right);
    expect(page.body).toContain('Identity confirmed. Submit the form again.');
    const saved = await postSettings(remote, { external: 'on' });
    expect(saved.location).toBe('/settings');
    expect((await loadSettings(h.paths.settings)).web.external).toBe(true);

    expect(h.pamCalls).toEqual([
      { user: 'pi', peer: REMOTE },
      { user: 'pi', peer: REMOTE },
      { user: 'pi', peer: REMOTE },
    ]);
    const lines = (await auditLines()).filter((l) => l.screen === 'confirm-identity');
    expect(lines.map((l) => [l.user, l.method, l.peer, l.listener, l.result])).toEqual([
      ['pi', 'os', REMOTE, 'loopback', 'failure'],
      ['pi', 'os', REMOTE, 'loopback', 'success'],
    ]);
    expect(lines[0]?.detail).toBe('to change network or cloud settings');
    expect(JSON.stringify(lines)).not.toMatch(/nope|raspberry/);
  });

  it('is throttled with screen 1: the same counters, the same answer', async () => {
    const clock = await clocked();
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    await remote.get(REAUTH('/settings'));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await remote.post('/confirm-identity', { password: `guess-${i}` })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const right = await remote.post('/confirm-identity', { password: OS.pi });
    expect(right.status).toBe(429);
    expect(/role="alert">([^<]*)</.exec(right.body)?.[1]).toBe(
      'Too many failed sign-ins. Wait a few minutes and try again.',
    );
    expect(h.pamCalls).toHaveLength(1 + 5);
    // Screen 1 counts the same failures for this account.
    const other = new Visitor(h.loopback, { peer: '192.168.1.77' });
    await other.get('/remote-login');
    expect((await other.post('/remote-login', { user: 'pi', password: OS.pi })).status).toBe(429);
    const results = (await auditLines())
      .filter((l) => l.screen === 'confirm-identity')
      .map((l) => l.result);
    expect(results).toEqual([
      'failure',
      'failure',
      'failure',
      'failure',
      'failure',
      'throttled',
      'throttled',
    ]);
  });

  it('answers a failure only after the failure delay', async () => {
    const clock = await clocked({ limits: { failureDelayMs: 120 } });
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    await remote.get(REAUTH('/settings'));
    const started = Date.now();
    expect((await remote.post('/confirm-identity', { password: 'nope' })).status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('asks the linked cloud account for its cloud password', async () => {
    const clock = await clocked();
    const remote = await signedIn(OWNER.email, OWNER.password);
    clock.advance(6 * MINUTE);
    await remote.get('/logout');
    const answer = await remote.post('/logout');
    const page = await remote.follow(answer);
    expect(page.body).toContain('You are signed in as <strong>owner@example.com</strong>');
    expect(page.body).toContain('the cloud account this client is linked to');
    expect((await remote.post('/confirm-identity', { password: OS.pi })).status).toBe(401);
    const right = await remote.post('/confirm-identity', {
      password: OWNER.password,
      next: '/logout',
    });
    expect(right.location).toBe('/logout');
    await remote.follow(right);
    expect((await remote.post('/logout')).status).toBe(200);
    expect(h.shutdowns).toEqual(['logout']);
    expect(h.pamCalls).toEqual([]);
  });

  it('refuses the re-auth form without its CSRF token', async () => {
    const clock = await clocked();
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    await remote.get(REAUTH('/settings'));
    const answer = await remote.post('/confirm-identity', { password: OS.pi }, {}, null);
    expect(answer.status).toBe(403);
    expect(h.pamCalls).toHaveLength(1);
  });

  it('a cloud login on screen 2 is no proof of the remote identity', async () => {
    const clock = await clocked({ loggedIn: false });
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    await remote.get('/login');
    expect((await remote.post('/login', OWNER)).location).toBe('/');
    await remote.get('/logout');
    expect((await remote.post('/logout')).location).toBe(REAUTH('/logout'));
    expect(h.shutdowns).toEqual([]);
  });
});

describe('who is not asked', () => {
  it('a remote session within 5 minutes of its sign-in', async () => {
    const clock = await clocked();
    const remote = await signedIn();
    clock.advance(4 * MINUTE);
    expect((await postSettings(remote, { external: 'on' })).location).toBe('/settings');
    expect((await loadSettings(h.paths.settings)).web.external).toBe(true);
    clock.advance(MINUTE - 1);
    await remote.get('/logout');
    expect((await remote.post('/logout')).status).toBe(200);
    expect(h.shutdowns).toEqual(['logout']);
  });

  it('a remote session for the period WebLimits.reauthMs sets', async () => {
    const clock = await clocked({ limits: { reauthMs: 1000 } });
    const remote = await signedIn();
    clock.advance(1001);
    expect((await postSettings(remote, { external: 'on' })).location).toBe(REAUTH('/settings'));
    expect((await remote.get(REAUTH('/settings'))).body).toContain('in the last 1 second.');
  });

  it('loopback, however long after its last page', async () => {
    const clock = await clocked({ cloud: { 'new@example.com': 'new-pw' } });
    const local = new Visitor(h.loopback);
    await local.get('/');
    clock.advance(60 * MINUTE);
    expect(
      (await postSettings(local, { external: 'on', cloudUrl: 'https://c.example.com' })).location,
    ).toBe('/settings');
    expect((await loadSettings(h.paths.settings)).cloud.url).toBe('https://c.example.com');
    // The page itself sends loopback straight on.
    expect((await local.get(REAUTH('/settings'))).location).toBe('/settings');
    clock.advance(60 * MINUTE);
    await local.get('/logout');
    expect((await local.post('/logout')).status).toBe(200);
    expect(h.shutdowns).toEqual(['logout']);
    expect(await auditLines()).not.toContainEqual(
      expect.objectContaining({ screen: 'confirm-identity' }),
    );
  });

  it('a stale remote session changing a setting that is not sensitive', async () => {
    const clock = await clocked({ settings: { autologin: true } });
    const remote = await signedIn();
    clock.advance(30 * MINUTE);
    expect(
      (await postSettings(remote, { autologin: undefined, openBrowser: undefined })).location,
    ).toBe('/settings');
    const saved = await loadSettings(h.paths.settings);
    expect(saved.autologin).toBe(false);
    expect(saved.web.openBrowser).toBe(false);
    // Nor a printer's own settings, nor a print control.
    await remote.get('/');
    expect((await remote.post('/printers/p-000001/emergency-stop')).location).toBe('/');
    expect(h.printers[0]?.actions).toEqual(['emergency-stop']);
    expect(h.pamCalls).toHaveLength(1);
  });

  it('nobody anonymous: a remote peer without a session signs in first', async () => {
    await clocked();
    const stranger = new Visitor(h.loopback, { peer: REMOTE });
    expect((await stranger.get(REAUTH('/settings'))).location).toBe('/remote-login');
  });
});

describe('open redirects in next', () => {
  const PAYLOADS = [
    '//evil.example',
    '///evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/%2f%2fevil.example',
    '%2f%2fevil.example',
    '/%5c%5cevil.example',
    '/.//evil.example',
    '/%2e%2e/%2e%2e//evil.example',
    '/settings/../..//evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/\t/evil.example',
    'http:evil.example',
  ];

  it.each(PAYLOADS)('%j ends on / after the re-auth', async (payload) => {
    const clock = await clocked();
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    const page = await remote.get(`/confirm-identity?next=${encodeURIComponent(payload)}`);
    expect(page.body).toContain('<input type="hidden" name="next" value="/">');
    expect(page.body).not.toContain('evil.example');
    const answer = await remote.post('/confirm-identity', { password: OS.pi, next: payload });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/');
  });

  it('raw in the query string, undecoded by the test, too', async () => {
    const clock = await clocked();
    const remote = await signedIn();
    clock.advance(6 * MINUTE);
    for (const raw of ['//evil.example', '/%252f%252fevil.example', '%2F%2Fevil.example']) {
      const page = await remote.get(`/confirm-identity?next=${raw}`);
      expect(page.body, raw).toContain('<input type="hidden" name="next" value="/">');
    }
    const local = new Visitor(h.loopback);
    expect((await local.get('/confirm-identity?next=//evil.example')).location).toBe('/');
    expect((await local.get('/confirm-identity?next=/%5Cevil.example')).location).toBe('/');
  });
});
