/**
 * Screen 2, the cloud login: any valid cloud account links the client; OS credentials do
 * not; a different account needs the switch confirmation; skipped when linked or offline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings, saveSettings } from '../../src/config/settings-file.js';
import { type Harness, REMOTE, Visitor, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };

describe('screen 2: the form', () => {
  it('has email, password, Autologin, Offline mode, and the cloud links', async () => {
    h = await webHarness({});
    const local = new Visitor(h.loopback);
    expect((await local.get('/')).location).toBe('/login');
    const page = await local.get('/login');
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<input id="email" name="email" type="email"/);
    expect(page.body).toMatch(/<input id="password" name="password" type="password"/);
    expect(page.body).toMatch(/name="autologin" value="on" checked/);
    expect(page.body).toContain('>Offline mode</button>');
    expect(page.body).toContain('href="http://127.0.0.1:8010/forgot-password"');
    expect(page.body).toContain('>Forgot your password?</a>');
    expect(page.body).toContain('href="http://127.0.0.1:8010/signup"');
    expect(page.body).toContain('>Sign up</a>');
    expect(page.body).toContain("This device's OS account does not work here");
  });

  it('takes the Autologin default from the setting', async () => {
    h = await webHarness({});
    await saveSettings(h.paths.settings, {
      ...(await loadSettings(h.paths.settings)),
      autologin: false,
    });
    const page = await new Visitor(h.loopback).get('/login');
    expect(page.body).toMatch(/name="autologin" value="on">/);
  });

  it('says when the saved account is being logged in at start', async () => {
    h = await webHarness({ savedLogin: 'saved@example.com' });
    const page = await new Visitor(h.loopback).get('/login');
    expect(page.body).toContain('Logging in with the saved account saved@example.com');
  });

  it('is skipped when linked or in offline mode', async () => {
    h = await webHarness({ linked: OWNER });
    expect((await new Visitor(h.loopback).get('/login')).location).toBe('/');
    await h.close();
    h = await webHarness({ offline: true });
    expect((await new Visitor(h.loopback).get('/login')).location).toBe('/');
    expect((await new Visitor(h.loopback).get('/')).status).toBe(200);
  });
});

describe('screen 2: linking', () => {
  it('links any valid cloud account, with a new session id', async () => {
    h = await webHarness({ cloud: { 'maker@example.com': 'maker-pw' } });
    const local = new Visitor(h.loopback);
    await local.get('/login');
    const before = local.cookies.get('printos_client');
    const answer = await local.post('/login', {
      email: 'maker@example.com',
      password: 'maker-pw',
      autologin: 'on',
    });
    expect(answer.location).toBe('/');
    expect(h.service.account?.email).toBe('maker@example.com');
    expect(local.cookies.get('printos_client')).not.toBe(before);
    const page = await local.get('/');
    expect(page.body).toContain('Linked to maker@example.com.');
    expect(page.body).toContain('<dd data-field="cloud">linked</dd>');
  });

  it('refuses OS credentials (they reach the cloud, never PAM)', async () => {
    h = await webHarness({ os: { pi: 'raspberry' } });
    const local = new Visitor(h.loopback);
    await local.get('/login');
    const answer = await local.post('/login', { email: 'pi', password: 'raspberry' });
    expect(answer.status).toBe(401);
    expect(answer.body).toContain('The cloud refused this email and password.');
    expect(h.pamCalls).toEqual([]);
    expect(h.service.account).toBeNull();
  });

  it('shows a remote OS user screen 2 after screen 1, and keeps their sign-in across the login', async () => {
    h = await webHarness({ os: { pi: 'raspberry' }, cloud: { 'maker@example.com': 'maker-pw' } });
    const remote = new Visitor(h.loopback, { peer: REMOTE });
    await remote.get('/remote-login');
    expect(
      (await remote.post('/remote-login', { user: 'pi', password: 'raspberry' })).location,
    ).toBe('/');
    expect((await remote.get('/')).location).toBe('/login');
    await remote.get('/login');
    expect(
      (await remote.post('/login', { email: 'maker@example.com', password: 'maker-pw' })).location,
    ).toBe('/');
    const page = await remote.get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Signed in as pi (OS account)');
  });

  it('enters offline mode', async () => {
    h = await webHarness({});
    const local = new Visitor(h.loopback);
    await local.get('/login');
    expect((await local.post('/offline')).location).toBe('/');
    expect(h.service.offline).toBe(true);
    expect((await local.get('/')).body).toContain('Offline mode: no cloud link.');
  });

  it('throttles wrong cloud passwords per account', async () => {
    h = await webHarness({ cloud: { 'maker@example.com': 'maker-pw' } });
    const local = new Visitor(h.loopback);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      await local.get('/login');
      statuses.push(
        (await local.post('/login', { email: 'maker@example.com', password: `x${i}` })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(h.cloudLogins).toHaveLength(5);
  });
});

describe('screen 2: switching account', () => {
  it('warns that every printer is unlinked, and switches only after the confirmation', async () => {
    h = await webHarness({
      linked: OWNER,
      loggedIn: false,
      cloud: { 'new@example.com': 'new-pw' },
    });
    const local = new Visitor(h.loopback);
    await local.get('/login');
    const warning = await local.post('/login', { email: 'new@example.com', password: 'new-pw' });
    expect(warning.status).toBe(200);
    expect(warning.body).toContain('The client is linked to <strong>owner@example.com</strong>');
    expect(warning.body).toContain('unlinks every printer; they must be set up again');
    expect(warning.body).toContain('<li>Prusa MK3</li>');
    expect(h.service.account).toBeNull();
    // The cloud checks the password before the warning (a wrong one learns nothing).
    expect(h.cloudLogins).toEqual(['new@example.com']);
    const confirmed = await local.post('/login/confirm', { action: 'confirm' });
    expect(confirmed.location).toBe('/');
    expect(h.service.account?.email).toBe('new@example.com');
  });

  it('cancels, and a confirmation cannot be replayed', async () => {
    h = await webHarness({
      linked: OWNER,
      loggedIn: false,
      cloud: { 'new@example.com': 'new-pw' },
    });
    const local = new Visitor(h.loopback);
    await local.get('/login');
    await local.post('/login', { email: 'new@example.com', password: 'new-pw' });
    const page = local.last;
    expect((await local.post('/login/confirm', { action: 'cancel' })).location).toBe('/');
    local.last = page;
    const replay = await local.post('/login/confirm', { action: 'confirm' });
    expect(replay.location).toBe('/login');
    expect(h.service.account).toBeNull();
  });

  it('expires the confirmation', async () => {
    let now = 5_000_000;
    h = await webHarness({
      linked: OWNER,
      loggedIn: false,
      cloud: { 'new@example.com': 'new-pw' },
      now: () => now,
      limits: { pendingSwitchMs: 1000 },
    });
    const local = new Visitor(h.loopback);
    await local.get('/login');
    await local.post('/login', { email: 'new@example.com', password: 'new-pw' });
    now += 1001;
    expect((await local.post('/login/confirm', { action: 'confirm' })).location).toBe('/login');
    expect(h.service.account).toBeNull();
  });

  it('revokes every other session at the switch', async () => {
    h = await webHarness({
      linked: OWNER,
      loggedIn: false,
      os: { pi: 'raspberry' },
      cloud: { 'new@example.com': 'new-pw' },
    });
    const owner = new Visitor(h.loopback, { peer: REMOTE });
    await owner.get('/remote-login');
    expect(
      (await owner.post('/remote-login', { user: OWNER.email, password: OWNER.password })).location,
    ).toBe('/');
    const local = new Visitor(h.loopback);
    await local.get('/login');
    await local.post('/login', { email: 'new@example.com', password: 'new-pw' });
    await local.post('/login/confirm', { action: 'confirm' });
    expect((await owner.get('/')).location).toBe('/remote-login');
    expect((await local.get('/')).status).toBe(200);
    // The old account's cloud credentials no longer open screen 1.
    await owner.get('/remote-login');
    expect(
      (await owner.post('/remote-login', { user: OWNER.email, password: OWNER.password })).status,
    ).toBe(403);
  });
});
