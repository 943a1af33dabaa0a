/**
 * Every flow of the web interface in real Chromium from loopback: screen 2, offline
 * mode, the printers list with its live updates, upload and print, the print controls,
 * add a printer, settings, account switch, logout; the login screens without JavaScript.
 * Writes the screenshots of docs/screenshots/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakePrinter, type Harness, webHarness } from './harness.js';
import { type Browser, launchBrowser, type Page, withPage } from './support/index.js';

const SHOTS = join(import.meta.dirname, '../../docs/screenshots');
const OWNER = { email: 'owner@example.com', password: 'owner-pw' };

let browser: Browser;
let h: Harness | undefined;

beforeAll(async () => {
  browser = await launchBrowser();
  await mkdir(SHOTS, { recursive: true });
});
afterAll(() => browser?.close());
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function started(
  options: Parameters<typeof webHarness>[0],
): Promise<{ web: Harness; base: string }> {
  const web = await webHarness({ anyPorts: true, ...options });
  h = web;
  await web.server.start();
  return { web, base: web.server.urls.local.replace('127.0.0.1', 'localhost') };
}

/**
 * Console errors (CSP violations included) and page errors, for an assertion at the end.
 * A page answered with an error status (401 for a wrong password) is not one.
 */
function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(m.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function submit(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

const VIEW = { viewport: { width: 1100, height: 760 } };

describe('from loopback', () => {
  it('screen 2 links the client, then the printers list shows', async () => {
    const { web, base } = await started({ cloud: { 'maker@example.com': 'maker-pw' } });
    await withPage(
      browser,
      async (page) => {
        const errors = watch(page);
        await page.goto(`${base}/`);
        expect(new URL(page.url()).pathname).toBe('/login');
        expect(await page.isChecked('input[name=autologin]')).toBe(true);
        expect(await page.getAttribute('text=Sign up', 'href')).toBe(
          'http://127.0.0.1:8010/signup',
        );
        expect(await page.getAttribute('text=Forgot your password?', 'href')).toBe(
          'http://127.0.0.1:8010/forgot-password',
        );
        await shot(page, 'cloud-login');
        await page.fill('#email', 'maker@example.com');
        await page.fill('#password', 'wrong');
        await submit(page, 'button:has-text("Log in")');
        expect(await page.textContent('[role=alert]')).toBe(
          'The cloud refused this email and password.',
        );
        await page.fill('#password', 'maker-pw');
        await submit(page, 'button:has-text("Log in")');
        expect(new URL(page.url()).pathname).toBe('/');
        expect(await page.textContent('[role=status]')).toBe('Linked to maker@example.com.');
        expect(web.service.account?.email).toBe('maker@example.com');
        const cookies = await page.context().cookies();
        expect(cookies).toMatchObject([
          { name: 'printos_client', httpOnly: true, sameSite: 'Strict' },
        ]);
        expect(errors, errors.join('\n')).toEqual([]);
      },
      VIEW,
    );
  });

  it('offline mode from screen 2, and logout only leaves it', async () => {
    const { web, base } = await started({});
    await withPage(
      browser,
      async (page) => {
        await page.goto(`${base}/login`);
        await submit(page, 'button:has-text("Offline mode")');
        expect(await page.textContent('main')).toContain('Offline mode: no cloud link.');
        expect(web.service.offline).toBe(true);
        await page.goto(`${base}/logout`);
        await submit(page, 'button:has-text("Leave offline mode")');
        expect(new URL(page.url()).pathname).toBe('/login');
        expect(web.service.offline).toBe(false);
        expect(web.shutdowns).toEqual([]);
      },
      VIEW,
    );
  });

  it('the printers list follows the printer live, without reloading', async () => {
    const printer = fakePrinter('p-000001', 'Prusa MK3');
    const { base } = await started({
      linked: OWNER,
      printers: [printer, fakePrinter('p-000002', 'Ender 3')],
    });
    await withPage(
      browser,
      async (page) => {
        const errors = watch(page);
        await page.goto(`${base}/`);
        await page.evaluate(() => {
          (window as unknown as { marker: number }).marker = 42;
        });
        printer.state = 'printing';
        printer.job = { filename: 'benchy.gcode', percent: 37.5 };
        printer.temps = [
          { id: 'T0', current: 214.8, target: 215 },
          { id: 'B', current: 60.2, target: 60 },
        ];
        const card = '[data-printer="p-000001"]';
        await page.waitForFunction(
          (sel) =>
            document.querySelector(`${sel} [data-field="state"]`)?.textContent === 'printing',
          card,
        );
        expect(await page.textContent(`${card} [data-field="job"]`)).toBe('benchy.gcode');
        expect(await page.textContent(`${card} [data-field="temperatures"]`)).toBe(
          'Tool 1 214.8 / 215 °C · Bed 60.2 / 60 °C',
        );
        expect(await page.isVisible(`${card} button:has-text("Pause")`)).toBe(true);
        expect(await page.isVisible(`${card} button:has-text("Upload and print")`)).toBe(false);
        expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(
          42,
        );
        await shot(page, 'printers');
        printer.error = '<img src=x onerror=alert(1)> thermal runaway';
        await page.waitForFunction(
          (sel) =>
            document.querySelector(`${sel} [data-field="error"]`)?.textContent?.includes('runaway'),
          card,
        );
        expect(await page.locator(`${card} img`).count()).toBe(0);
        expect(errors, errors.join('\n')).toEqual([]);
      },
      VIEW,
    );
  });

  it('uploads a G-code file and prints it; pauses, resumes, cancels after confirming; emergency stop', async () => {
    const printer = fakePrinter('p-000001', 'Prusa MK3');
    const { base } = await started({ linked: OWNER, printers: [printer] });
    await withPage(
      browser,
      async (page) => {
        await page.goto(`${base}/`);
        await page.setInputFiles('#file-p-000001', {
          name: 'benchy.gcode',
          mimeType: 'text/plain',
          buffer: Buffer.from('G28\nG1 X10 Y10\n'),
        });
        await submit(page, 'button:has-text("Upload and print")');
        expect(await page.textContent('[role=status]')).toBe('Printing benchy.gcode on Prusa MK3.');
        expect(printer.jobs.map((j) => j.filename)).toEqual(['benchy.gcode']);
        await submit(page, 'button:has-text("Pause")');
        expect(printer.state).toBe('paused');
        await submit(page, 'button:has-text("Resume")');
        await page.click('text=Cancel print…');
        await page.waitForURL('**/printers/p-000001/cancel');
        await shot(page, 'cancel-print');
        expect(printer.actions).toEqual(['pause', 'resume']);
        await submit(page, 'button:has-text("Cancel the print")');
        expect(printer.actions).toEqual(['pause', 'resume', 'cancel']);
        await submit(page, 'button:has-text("Emergency stop")');
        expect(printer.actions.at(-1)).toBe('emergency-stop');
      },
      VIEW,
    );
  });

  it('adds a printer from the detected ports and shows the settings with the audit log', async () => {
    const { base } = await started({
      linked: OWNER,
      printers: [],
      ports: [
        {
          path: '/dev/ttyACM0',
          vid: '2C99',
          pid: '0002',
          serialNumber: 'CZPX1234',
          manufacturer: 'Prusa Research',
          product: 'Original Prusa i3 MK3',
        },
        { path: '/dev/ttyUSB0', vid: '1A86', pid: '7523' },
      ],
    });
    await withPage(
      browser,
      async (page) => {
        await page.goto(`${base}/printers/add`);
        expect(await page.textContent('table')).toContain('Original Prusa i3 MK3/MK3S/MK3S+');
        await shot(page, 'add-printer');
        await page.fill('#port', '/dev/ttyUSB9');
        await page.selectOption('#baud', '250000');
        await page.fill('#name', 'Ender <3>');
        await submit(page, 'button:has-text("Add the printer")');
        expect(await page.textContent('[role=status]')).toBe('Added the printer on /dev/ttyUSB9.');
        await page.goto(`${base}/settings`);
        expect(await page.textContent('main')).toContain('Printer Ender <3>');
        await page.fill('#httpsPort', '8443');
        await page.fill('#httpPort', '8443');
        await submit(page, 'button:has-text("Save")');
        expect(await page.textContent('[role=alert]')).toContain(
          'web.httpsPort: must differ from web.httpPort',
        );
        await page.fill('#httpPort', '8080');
        await submit(page, 'button:has-text("Save")');
        expect(await page.textContent('.warning')).toContain('web.httpPort, web.httpsPort');
        await shot(page, 'settings');
      },
      VIEW,
    );
  });

  it('switching account warns, and logout names what stops', async () => {
    const printer = fakePrinter('p-000001', 'Prusa MK3');
    printer.state = 'printing';
    printer.job = { filename: 'benchy.gcode', percent: 12 };
    const { web, base } = await started({
      linked: OWNER,
      loggedIn: false,
      printers: [printer],
      cloud: { 'new@example.com': 'new-pw' },
    });
    await withPage(
      browser,
      async (page) => {
        await page.goto(`${base}/login`);
        await page.fill('#email', 'new@example.com');
        await page.fill('#password', 'new-pw');
        await submit(page, 'button:has-text("Log in")');
        expect(await page.textContent('[role=alert]')).toContain('unlinks every printer');
        await shot(page, 'switch-account');
        await submit(page, 'button:has-text("Link new@example.com")');
        expect(web.service.account?.email).toBe('new@example.com');
        await page.goto(`${base}/logout`);
        expect(await page.textContent('#logout-prints')).toBe('Prusa MK3: benchy.gcode');
        await shot(page, 'logout');
        await submit(page, 'button:has-text("Log out and stop the service")');
        expect(await page.textContent('h1')).toBe('Logged out');
        await shot(page, 'logged-out');
        expect(web.shutdowns).toEqual(['logout']);
      },
      VIEW,
    );
  });

  it('works without JavaScript', async () => {
    const { web, base } = await started({ cloud: { 'maker@example.com': 'maker-pw' } });
    await withPage(
      browser,
      async (page) => {
        await page.goto(`${base}/`);
        await page.fill('#email', 'maker@example.com');
        await page.fill('#password', 'maker-pw');
        await submit(page, 'button:has-text("Log in")');
        expect(web.service.account?.email).toBe('maker@example.com');
        expect(await page.textContent('h1')).toBe('Printers');
        await submit(page, 'button:has-text("Emergency stop")');
        expect(web.printers[0]?.actions).toEqual(['emergency-stop']);
      },
      { ...VIEW, javaScriptEnabled: false },
    );
  });

  it('fits a phone screen', async () => {
    const { base } = await started({ linked: OWNER });
    await withPage(
      browser,
      async (page) => {
        await page.goto(`${base}/`);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width).toBeLessThanOrEqual(390);
        await shot(page, 'printers-phone');
      },
      { viewport: { width: 390, height: 844 }, isMobile: true },
    );
  });

  it('a page on another site cannot make the browser act (CSRF, SameSite)', async () => {
    const { web, base } = await started({ linked: OWNER });
    const { createServer } = await import('node:http');
    const evil = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="post" action="${base}/printers/p-000001/emergency-stop"></form>
<script>fetch('${base}/printers/p-000001/emergency-stop', {method: 'POST', mode: 'no-cors', credentials: 'include'}); document.getElementById('f').submit();</script>`);
    });
    await new Promise<void>((done) => evil.listen(0, '127.0.0.1', done));
    const port = (evil.address() as { port: number }).port;
    try {
      await withPage(
        browser,
        async (page) => {
          await page.goto(`${base}/`);
          await page.goto(`http://127.0.0.1:${port}/`);
          await page.waitForLoadState('load');
          await page.waitForTimeout(300);
          expect(web.printers[0]?.actions).toEqual([]);
        },
        VIEW,
      );
    } finally {
      evil.close();
    }
  });
});

afterAll(async () => {
  await writeFile(
    join(SHOTS, 'README.md'),
    `Screenshots of the web interface, written by test/web/browser.test.ts and
test/web/remote-browser.test.ts (Chromium). Do not edit by hand.
`,
  );
});
