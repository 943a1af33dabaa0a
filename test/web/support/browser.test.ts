import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertChromium, type Browser, launchBrowser, withPage } from './browser.js';
import { runSteps } from './steps.js';
import { startTinyServer, type TinyServer } from './tiny-server.js';

describe('launchBrowser and withPage (Chromium on loopback)', () => {
  let browser: Browser;
  let server: TinyServer;
  let base: string;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startTinyServer('127.0.0.1')]);
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('loads a page from a local server and reads its text', async () => {
    const text = await withPage(browser, async (page) => {
      await page.goto(`${base}/`);
      return page.textContent('#peer');
    });
    expect(text).toBe('peer 127.0.0.1');
    expect(server.peers.at(-1)).toBe('127.0.0.1');
  });

  it('gives each page a fresh context: cookies do not leak between them', async () => {
    const first = await withPage(browser, async (page, context) => {
      await page.goto(`${base}/form`);
      await page.fill('#name', 'Ada');
      await Promise.all([page.waitForURL(`${base}/form`), page.click('#go')]);
      return context.cookies();
    });
    expect(first.map((c) => c.name)).toEqual(['session']);
    const second = await withPage(browser, (_page, context) => context.cookies());
    expect(second).toEqual([]);
  });

  it('runs the step language on a local page', async () => {
    const result = await withPage(browser, (page) =>
      runSteps(page, [
        { goto: `${base}/form`, as: 'load' },
        { title: true, as: 'before' },
        { fill: '#name', value: '<b>Ada</b>' },
        { click: '#go', navigates: true },
        { text: '#welcome', as: 'welcome' },
        { count: 'b', as: 'bold' },
        { cookies: true, as: 'cookies' },
        { eval: 'document.title', as: 'after' },
      ]),
    );
    expect(result.ok).toBe(true);
    expect(result.values.load).toEqual({ status: 200, url: `${base}/form` });
    expect(result.values.before).toBe('form');
    expect(result.values.welcome).toBe('Welcome <b>Ada</b>');
    expect(result.values.bold).toBe(0);
    expect(result.values.after).toBe('in');
    expect(result.values.cookies).toMatchObject([
      { name: 'session', httpOnly: true, sameSite: 'Strict' },
    ]);
  });

  it('reports the failing step instead of throwing', async () => {
    const result = await withPage(
      browser,
      (page) => runSteps(page, [{ goto: `${base}/` }, { text: '#missing' }]),
      { timeoutMs: 300 },
    );
    expect(result).toMatchObject({ ok: false, failedStep: 1, values: { 0: { status: 200 } } });
  });

  it('resolves no name but loopback ones: a wrong URL cannot leave the machine', async () => {
    const error = await withPage(browser, (page) =>
      page.goto('http://printos-test.invalid/').then(
        () => 'loaded',
        (err: Error) => err.message,
      ),
    );
    expect(error).toMatch(/ERR_NAME_NOT_RESOLVED/);
  });

  it('fails with a clear message when Chromium is missing', async () => {
    expect(() => assertChromium('/nonexistent/chromium')).toThrow(/Chromium not found at/);
    await expect(launchBrowser({ executablePath: '/nonexistent/chromium' })).rejects.toThrow(
      /apt-get install chromium/,
    );
  });
});
