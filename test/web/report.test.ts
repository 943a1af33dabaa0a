/**
 * "Report a problem": a signed-in user (local, or remote after screen 1) sends what
 * happened; the report reaches sendReport (app-service's sendBundle: the log bundle to
 * the cloud). In real Chromium from loopback, and over inject for the remote user, the
 * refusals (no CSRF token, empty text, not linked) and the throttle.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PrintosError } from '../../src/core/errors.js';
import { type Harness, REMOTE, Visitor, webHarness } from './harness.js';
import { type Browser, launchBrowser, withPage } from './support/index.js';

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A harness whose service sends reports into `sent` (or fails with `failure`). */
async function reporting(
  options: Parameters<typeof webHarness>[0],
  failure?: () => Error,
): Promise<{ web: Harness; sent: string[] }> {
  const web = await webHarness(options);
  h = web;
  const sent: string[] = [];
  // The harness builds the deps; the route reads sendReport at request time.
  web.server.context.deps.sendReport = async (report) => {
    if (failure) throw failure();
    sent.push(report);
  };
  return { web, sent };
}

describe('in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('the nav leads to the page; a report is sent and acknowledged', async () => {
    const { web, sent } = await reporting({ linked: OWNER, anyPorts: true });
    await web.server.start();
    const base = web.server.urls.local.replace('127.0.0.1', 'localhost');
    await withPage(browser, async (page) => {
      await page.goto(`${base}/`);
      await Promise.all([page.waitForNavigation(), page.click('nav >> text=Report a problem')]);
      expect(new URL(page.url()).pathname).toBe('/report');
      expect(await page.textContent('main')).toContain(OWNER.email);
      await page.fill('#report', 'The print stopped at 40 %, the nozzle cooled down.');
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("Send")')]);
      expect(await page.textContent('.notice')).toMatch(
        /report and the client's log \(secrets masked\) were sent to the cloud account owner@example\.com/,
      );
      expect(await page.inputValue('#report')).toBe('');
    });
    expect(sent).toEqual(['The print stopped at 40 %, the nozzle cooled down.']);
  });
});

describe('over HTTP', () => {
  it('a remote user signed in on screen 1 sends a report', async () => {
    const { web, sent } = await reporting({ linked: OWNER, os: { pi: 'raspberry' } });
    const remote = new Visitor(web.loopback, { peer: REMOTE });
    expect((await remote.get('/report')).location).toBe('/remote-login');
    await remote.get('/remote-login');
    await remote.post('/remote-login', { user: 'pi', password: 'raspberry' });
    const page = await remote.get('/report');
    expect(page.status).toBe(200);
    expect(page.body).toContain('What happened?');
    const answer = await remote.post('/report', { report: '  heater error E1  ' });
    expect(answer.location).toBe('/report');
    expect((await remote.follow(answer)).body).toContain('were sent to the cloud account');
    expect(sent).toEqual(['heater error E1']);
  });

  it('refuses a post without the form token, and an empty report', async () => {
    const { web, sent } = await reporting({ linked: OWNER });
    const local = new Visitor(web.loopback);
    await local.get('/report');
    expect((await local.post('/report', { report: 'x' }, {}, null)).status).toBe(403);
    await local.get('/report');
    const empty = await local.post('/report', { report: '   ' });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('Say what happened.');
    await local.get('/report');
    const long = await local.post('/report', { report: 'x'.repeat(10_001) });
    expect(long.status).toBe(400);
    expect(sent).toEqual([]);
  });

  it('explains that logs go to the linked cloud account when there is none', async () => {
    const { web } = await reporting(
      { offline: true },
      () =>
        new PrintosError(
          'NOT_LINKED',
          'Logs go to the linked cloud account: link one first (printos login).',
        ),
    );
    const local = new Visitor(web.loopback);
    const page = await local.get('/report');
    expect(page.body).toContain('Reports and logs go to the linked cloud account');
    const answer = await local.post('/report', { report: 'it broke' });
    expect(answer.status).toBe(409);
    expect(answer.body).toContain('The report was not sent: this client is not linked');
    expect(answer.body).toContain('Reports and logs go to the linked cloud account');
    // What was typed is kept for a second try.
    expect(answer.body).toContain('>it broke</textarea>');
  });

  it('says why a send failed and keeps the text', async () => {
    const { web } = await reporting(
      { linked: OWNER },
      () => new PrintosError('CLOUD_UNREACHABLE', 'The log upload did not reach the cloud.'),
    );
    const local = new Visitor(web.loopback);
    await local.get('/report');
    const answer = await local.post('/report', { report: 'a <b>tag</b>' });
    expect(answer.status).toBe(503);
    expect(answer.body).toContain('The report was not sent: The log upload did not reach');
    expect(answer.body).toContain('>a &lt;b&gt;tag&lt;/b&gt;</textarea>');
  });

  it('throttles reports per peer', async () => {
    const { web, sent } = await reporting({ linked: OWNER });
    const local = new Visitor(web.loopback);
    await local.get('/report');
    for (let i = 1; i <= 5; i++) {
      expect((await local.post('/report', { report: `report ${i}` })).status).toBe(303);
      await local.get('/report');
    }
    const refused = await local.post('/report', { report: 'one more' });
    expect(refused.status).toBe(429);
    expect(refused.body).toContain('Too many reports');
    expect(sent).toHaveLength(5);
    // Another peer still can.
    const other = new Visitor(web.loopback, { peer: '127.0.0.2' });
    await other.get('/report');
    expect((await other.post('/report', { report: 'from elsewhere' })).status).toBe(303);
  });

  it('says when this run cannot send reports', async () => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    const page = await local.get('/report');
    expect(page.body).toContain('This run of the client cannot send reports.');
    expect((await local.post('/report', { report: 'x' })).status).toBe(503);
  });
});
