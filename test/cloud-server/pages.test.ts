/** The account pages over a real loopback listener: flows, CSRF, throttling, escaping, headers. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listOutbox } from '../../src/cloud-server/server.js';
import { Browser, csrfOf } from './browser.js';
import {
  api,
  call,
  commandBody,
  type Harness,
  linkPrinter,
  PASSWORD,
  printerLoginBody,
  startCloud,
  withUser,
} from './harness.js';

const EMAIL = 'carol@example.com';
let h: Harness;

beforeEach(async () => {
  h = await startCloud();
});

afterEach(async () => {
  await h.close();
});

async function signUp(browser: Browser, email = EMAIL, password = PASSWORD) {
  const form = await browser.get('/signup');
  return browser.post('/signup', {
    _csrf: csrfOf(form.text),
    email,
    password,
    password2: password,
  });
}

async function logIn(browser: Browser, email: string, password: string) {
  const form = await browser.get('/login');
  return browser.post('/login', { _csrf: csrfOf(form.text), email, password });
}

describe('account flow', () => {
  it('sign-up, login, forgot, reset: old password refused, new accepted, link single-use', async () => {
    const browser = new Browser(h.url);
    const signed = await signUp(browser);
    expect(signed.status).toBe(303);
    expect(signed.location).toBe('/?notice=welcome');
    const home = await browser.get('/');
    expect(home.status).toBe(200);
    expect(home.text).toContain(EMAIL);
    const cookie =
      /printos_session=[^;]+;[^,]*/i.exec(signed.headers.get('set-cookie') ?? '')?.[0] ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    const logout = await browser.post('/logout', { _csrf: csrfOf(home.text) });
    expect(logout.location).toBe('/login');
    expect((await browser.get('/')).location).toBe('/login');
    const wrong = await logIn(browser, EMAIL, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Wrong email or password.');
    expect((await logIn(browser, EMAIL, PASSWORD)).location).toBe('/');
    const { userToken } = await linkPrinter(h, EMAIL);

    // Another browser asks for a reset; the link lands in the outbox.
    const other = new Browser(h.url);
    const forgot = await other.get('/forgot-password');
    const sent = await other.post('/forgot-password', { _csrf: csrfOf(forgot.text), email: EMAIL });
    expect(sent.status).toBe(200);
    const ghost = await other.post('/forgot-password', {
      _csrf: csrfOf(forgot.text),
      email: 'ghost@example.com',
    });
    expect(ghost.text.replace('ghost@example.com', EMAIL)).toBe(sent.text);
    const outbox = listOutbox(h.dir);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]?.to).toBe(EMAIL);
    const link = outbox[0]?.link ?? '';
    expect(link.startsWith(`${h.url}/reset-password?token=`)).toBe(true);

    const path = link.slice(h.url.length);
    const resetForm = await other.get(path);
    expect(resetForm.status).toBe(200);
    const token = new URL(link).searchParams.get('token') ?? '';
    const newPassword = 'a brand new password';
    const done = await other.post('/reset-password', {
      _csrf: csrfOf(resetForm.text),
      token,
      password: newPassword,
      password2: newPassword,
    });
    expect(done.status).toBe(200);
    expect(done.text).toContain('Password changed');

    // Every session and user token of the account was revoked.
    expect((await browser.get('/')).location).toBe('/login');
    const relog = await call(h, 'printerLogin', printerLoginBody(userToken));
    expect(relog.error?.code).toBe(1);

    const fresh = new Browser(h.url);
    expect((await logIn(fresh, EMAIL, PASSWORD)).status).toBe(401);
    expect((await logIn(fresh, EMAIL, newPassword)).location).toBe('/');

    expect((await other.get(path)).status).toBe(403);
    const again = await other.post('/reset-password', {
      _csrf: csrfOf(resetForm.text),
      token,
      password: 'yet another password',
      password2: 'yet another password',
    });
    expect(again.status).toBe(403);
  });

  it('a reset link expires after an hour', async () => {
    await withUser(h, EMAIL);
    const browser = new Browser(h.url);
    const forgot = await browser.get('/forgot-password');
    await browser.post('/forgot-password', { _csrf: csrfOf(forgot.text), email: EMAIL });
    const link = listOutbox(h.dir)[0]?.link ?? '';
    const path = link.slice(h.url.length);
    h.clock.t += 59 * 60_000;
    expect((await browser.get(path)).status).toBe(200);
    h.clock.t += 2 * 60_000;
    expect((await browser.get(path)).status).toBe(403);
  });

  it('refuses a short password and different passwords at sign-up', async () => {
    const browser = new Browser(h.url);
    const short = await signUp(browser, EMAIL, 'short');
    expect(short.status).toBe(400);
    const form = await browser.get('/signup');
    const differ = await browser.post('/signup', {
      _csrf: csrfOf(form.text),
      email: EMAIL,
      password: 'long enough 1',
      password2: 'long enough 2',
    });
    expect(differ.status).toBe(400);
    expect(differ.text).toContain('The two passwords differ.');
  });
});

describe('form protection', () => {
  it('refuses a POST without, or with a wrong, CSRF token', async () => {
    await withUser(h, EMAIL);
    const browser = new Browser(h.url);
    await browser.get('/login');
    const missing = await browser.post('/login', { email: EMAIL, password: PASSWORD });
    expect(missing.status).toBe(403);
    const wrong = await browser.post('/login', {
      _csrf: 'abc-def',
      email: EMAIL,
      password: PASSWORD,
    });
    expect(wrong.status).toBe(403);
    // A token from another browser (another CSRF secret) does not work either.
    const other = new Browser(h.url);
    const token = csrfOf((await other.get('/login')).text);
    expect(
      (await browser.post('/login', { _csrf: token, email: EMAIL, password: PASSWORD })).status,
    ).toBe(403);
    expect(browser.cookies.has('printos_session')).toBe(false);
  });

  it('refuses a form posted from another site', async () => {
    await withUser(h, EMAIL);
    const browser = new Browser(h.url);
    const csrf = csrfOf((await browser.get('/login')).text);
    const form = { _csrf: csrf, email: EMAIL, password: PASSWORD };
    expect((await browser.post('/login', form, { origin: 'http://evil.example' })).status).toBe(
      403,
    );
    expect((await browser.post('/login', form, { 'sec-fetch-site': 'cross-site' })).status).toBe(
      403,
    );
    expect((await browser.post('/login', form, { 'sec-fetch-site': 'same-origin' })).status).toBe(
      303,
    );
  });

  it('throttles logins after five failures with the same answer for an unknown account', async () => {
    await withUser(h, EMAIL);
    const browser = new Browser(h.url);
    const answers: string[] = [];
    for (const email of [EMAIL, 'nobody@example.com']) {
      for (let i = 0; i < 5; i++) {
        expect((await logIn(browser, email, 'wrong password')).status).toBe(401);
      }
      const blocked = await logIn(browser, email, email === EMAIL ? PASSWORD : 'x');
      expect(blocked.status).toBe(429);
      answers.push(blocked.text.replace(/value="[^"]*"/g, ''));
    }
    expect(answers[0]).toBe(answers[1]);
  });
});

describe('rendering', () => {
  it('escapes a printer named <script> and sends a strict CSP', async () => {
    await withUser(h, EMAIL);
    const { userToken, printerToken } = await linkPrinter(h, EMAIL);
    const evil = '<script>alert(1)</script>';
    await call(h, 'command', commandBody(printerToken, { state: 'ready' }, { select_name: evil }));
    const browser = new Browser(h.url);
    await logIn(browser, EMAIL, PASSWORD);
    const home = await browser.get('/');
    expect(home.text).not.toContain(evil);
    expect(home.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(home.text).not.toMatch(/<script/i);
    const csp = home.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    const apiAnswer = await fetch(`${h.url}/api/printers`, {
      headers: { authorization: `Bearer ${userToken}` },
    });
    expect(apiAnswer.headers.get('content-security-policy')).toContain("default-src 'self'");
    const css = await browser.get('/static/style.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('uploads a job from the page and lists it in the queue', async () => {
    await withUser(h, EMAIL);
    const { userToken } = await linkPrinter(h, EMAIL);
    const browser = new Browser(h.url);
    await logIn(browser, EMAIL, PASSWORD);
    const home = await browser.get('/');
    const printerId = /name="printer_id"><option value="(\d+)"/.exec(home.text)?.[1] ?? '';
    const form = new FormData();
    form.set('printer_id', printerId);
    form.set('file', new Blob(['G28\nG1 X1\n']), '<img src=x onerror=alert(1)>.gcode');
    expect((await browser.postMultipart('/jobs', form)).status).toBe(403);
    const token = encodeURIComponent(csrfOf(home.text));
    const uploaded = await browser.postMultipart(`/jobs?_csrf=${token}`, form);
    expect(uploaded.location).toBe('/?notice=uploaded');
    const after = await browser.get('/?notice=uploaded');
    expect(after.text).toContain('The job is in the queue.');
    expect(after.text).toContain('&lt;img src=x onerror=alert(1)&gt;.gcode');
    expect(after.text).not.toContain('<img');
    const jobs = (await api(h, userToken, 'GET', '/api/jobs')).json.jobs;
    expect(jobs).toMatchObject([
      { filename: '<img src=x onerror=alert(1)>.gcode', status: 'queued', size: 10 },
    ]);
  });
});
