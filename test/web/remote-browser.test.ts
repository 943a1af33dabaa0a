/**
 * From a remote machine: Chromium and curl inside a network namespace joined to the host
 * by a veth pair, talking to the external listeners (HTTPS, and HTTP redirecting to it).
 * Screen 1 comes first; the real PAM with an OS user the test creates. Needs root.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings-file.js';
import { silentLogger } from '../../src/core/log.js';
import { createPamChecker } from '../../src/web/index.js';
import { type Harness, type HarnessOptions, webHarness } from './harness.js';
import {
  createNamespace,
  curlFromNamespace,
  describeAsRoot,
  launchBrowserInNamespace,
  type Namespace,
  type NamespaceBrowser,
  type Page,
  withOsUser,
  withPage,
} from './support/index.js';

const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
const OWNER = { email: 'owner@example.com', password: 'owner-pw' };

describeAsRoot('the web interface from a remote machine', 'creates network namespaces', () => {
  let ns: Namespace & { close(): Promise<void> };
  let remote: NamespaceBrowser;
  let h: Harness | undefined;

  beforeAll(async () => {
    ns = await createNamespace();
    remote = await launchBrowserInNamespace(ns);
  });
  afterAll(async () => {
    await remote?.close();
    await ns?.close();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function started(options: HarnessOptions) {
    const web = await webHarness({
      anyPorts: true,
      externalHost: '0.0.0.0',
      settings: { web: { profile: 'rpi' } },
      ...options,
    });
    h = web;
    await web.server.start();
    const apps = await web.server.prepare();
    const port = (which: 'external' | 'redirect') => {
      const address = apps[which]?.server.address();
      if (!address || typeof address !== 'object') throw new Error(`${which} is not listening`);
      return address.port;
    };
    return {
      web,
      https: `https://${ns.hostAddress}:${port('external')}`,
      http: `http://${ns.hostAddress}:${port('redirect')}`,
      localPort: Number(new URL(web.server.urls.local).port),
    };
  }

  const page = <T>(fn: (page: Page) => Promise<T>) =>
    withPage(remote.browser, fn, {
      ignoreHTTPSErrors: true,
      viewport: { width: 1100, height: 760 },
    });

  async function submit(p: Page, selector: string) {
    await Promise.all([p.waitForNavigation(), p.click(selector)]);
  }

  it('shows screen 1 first; refuses another cloud account; the OS account gets in', async () => {
    const { web, https, http } = await started({ linked: OWNER, os: { pi: 'raspberry' } });
    await page(async (p) => {
      await p.goto(`${http}/settings`);
      expect(p.url()).toBe(`${https}/remote-login`);
      expect(await p.textContent('#accepted')).toContain(
        'the email and password of the cloud account this client is\nlinked to (owner@example.com)',
      );
      await p.screenshot({ path: join(SHOTS, 'remote-login.png'), fullPage: true });
      await p.fill('#user', 'someone@example.com');
      await p.fill('#password', 'whatever');
      await submit(p, 'button:has-text("Sign in")');
      expect(await p.textContent('[role=alert]')).toContain(
        'Only the cloud account this client is linked to (owner@example.com) is accepted here',
      );
      await p.fill('#user', 'pi');
      await p.fill('#password', 'raspberry');
      await submit(p, 'button:has-text("Sign in")');
      expect(new URL(p.url()).pathname).toBe('/');
      expect(await p.textContent('header')).toContain('Signed in as pi (OS account)');
      const cookies = await p.context().cookies();
      expect(cookies).toMatchObject([
        { name: '__Host-printos_client', secure: true, httpOnly: true, sameSite: 'Strict' },
      ]);
    });
    expect(web.pamCalls).toEqual([{ user: 'pi', peer: ns.nsAddress }]);
  });

  it('signs in with the linked cloud account, then a remote user links nothing', async () => {
    const { web, https } = await started({ linked: OWNER });
    await page(async (p) => {
      await p.goto(`${https}/`);
      await p.fill('#user', OWNER.email);
      await p.fill('#password', OWNER.password);
      await submit(p, 'button:has-text("Sign in")');
      expect(await p.textContent('h1')).toBe('Printers');
      expect(await p.textContent('header')).toContain('owner@example.com (cloud account)');
    });
    expect(web.cloudLogins).toEqual([]);
  });

  it('screen 2 follows screen 1 while the client is unlinked', async () => {
    const { web, https } = await started({
      os: { pi: 'raspberry' },
      cloud: { 'maker@example.com': 'maker-pw' },
    });
    await page(async (p) => {
      await p.goto(`${https}/`);
      expect(await p.textContent('#accepted')).toContain('no cloud account is\naccepted here');
      await p.fill('#user', 'pi');
      await p.fill('#password', 'raspberry');
      await submit(p, 'button:has-text("Sign in")');
      expect(new URL(p.url()).pathname).toBe('/login');
      await p.fill('#email', 'maker@example.com');
      await p.fill('#password', 'maker-pw');
      await submit(p, 'button:has-text("Log in")');
      expect(await p.textContent('h1')).toBe('Printers');
    });
    expect(web.service.account?.email).toBe('maker@example.com');
  });

  it('asks for the password again before a network setting changes, 6 minutes on', async () => {
    let clock = Date.now();
    const { web, https } = await started({
      linked: OWNER,
      os: { pi: 'raspberry' },
      now: () => clock,
    });
    const save = 'form[action="/settings"] button[type=submit]';
    await page(async (p) => {
      await p.goto(`${https}/`);
      await p.fill('#user', 'pi');
      await p.fill('#password', 'raspberry');
      await submit(p, 'button:has-text("Sign in")');
      clock += 6 * 60_000;
      await p.goto(`${https}/settings`);
      await p.selectOption('#external', 'off');
      await submit(p, save);
      expect(new URL(p.url()).pathname).toBe('/confirm-identity');
      expect(await p.textContent('#reauth-why')).toContain('change network or cloud settings');
      expect(await p.inputValue('#reauth-user')).toBe('pi');
      await p.screenshot({ path: join(SHOTS, 'confirm-identity.png'), fullPage: true });
      await p.fill('#password', 'wrong');
      await submit(p, 'button:has-text("Confirm")');
      expect(await p.textContent('[role=alert]')).toBe('Wrong password.');
      expect((await loadSettings(web.paths.settings)).web.external).toBeNull();
      await p.fill('#password', 'raspberry');
      await submit(p, 'button:has-text("Confirm")');
      expect(p.url()).toBe(`${https}/settings`);
      expect(await p.textContent('.notice')).toContain('Identity confirmed');
      await p.selectOption('#external', 'off');
      await submit(p, save);
      expect(await p.textContent('.notice')).toBe('Settings saved.');
    });
    expect((await loadSettings(web.paths.settings)).web.external).toBe(false);
    expect(web.pamCalls.map((c) => c.peer)).toEqual([ns.nsAddress, ns.nsAddress, ns.nsAddress]);
  });

  it('ignores spoofed client-address headers, and the loopback listener is out of reach', async () => {
    const { https, localPort } = await started({ linked: OWNER });
    for (const header of [
      'X-Forwarded-For: 127.0.0.1',
      'X-Real-Ip: 127.0.0.1',
      'Forwarded: for=127.0.0.1',
    ]) {
      const answer = await curlFromNamespace(ns, `${https}/`, ['-k', '-H', header]);
      expect(answer.status, header).toBe(303);
      expect(answer.headers.location).toEqual(['/remote-login']);
    }
    const rebound = await curlFromNamespace(ns, `${https}/remote-login`, [
      '-k',
      '-H',
      'Host: attacker.example',
    ]);
    expect(rebound.status).toBe(421);
    const loopback = await curlFromNamespace(ns, `http://${ns.hostAddress}:${localPort}/`);
    expect(loopback.status).toBeNull();
  });

  it('signs in with a real OS account through PAM', async () => {
    await withOsUser(async (user) => {
      const { https } = await started({
        linked: OWNER,
        pam: createPamChecker({ log: silentLogger() }),
      });
      await page(async (p) => {
        await p.goto(`${https}/`);
        await p.fill('#user', user.name);
        await p.fill('#password', user.password);
        await submit(p, 'button:has-text("Sign in")');
        expect(await p.textContent('header')).toContain(`Signed in as ${user.name} (OS account)`);
      });
    });
  });
});
