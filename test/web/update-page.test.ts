/**
 * The update page and the host banners: "update available" with the release notes
 * (escaped), the install button, the refusal during a print with the offer to update when
 * idle, re-authentication for remote users, and the under-voltage warning.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PrintosError } from '../../src/core/errors.js';
import type { UpdateStatus } from '../../src/update/updater.js';
import type { WebUpdates } from '../../src/web/types.js';
import { fakePrinter, type Harness, REMOTE, Visitor, webHarness } from './harness.js';
import { type Browser, launchBrowser, withPage } from './support/index.js';

const SHOTS = join(import.meta.dirname, '../../docs/screenshots');

let h: Harness;
afterEach(() => h?.close());

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };

function status(overrides: Partial<UpdateStatus> = {}): UpdateStatus {
  return {
    current: '1.0.0',
    phase: 'available',
    available: { version: '1.1.0', notes: 'Faster <b>prints</b>', size: 31_000_000 },
    progress: null,
    error: null,
    checkedAt: '2026-11-27T10:00:00.000Z',
    cannotInstall: null,
    busy: null,
    last: null,
    ...overrides,
  };
}

function fakeUpdates(initial: UpdateStatus) {
  const calls: string[] = [];
  let current = initial;
  const updates: WebUpdates = {
    status: () => current,
    check: async () => {
      calls.push('check');
      return current;
    },
    apply: async ({ whenIdle }) => {
      calls.push(whenIdle ? 'apply-when-idle' : 'apply');
      if (current.busy && !whenIdle) {
        throw new PrintosError('PRINTER_BUSY', `${current.busy}: printos never updates now.`);
      }
      current = { ...current, phase: whenIdle ? 'waiting-for-idle' : 'downloading' };
      return current;
    },
  };
  return {
    updates,
    calls,
    set: (s: UpdateStatus) => {
      current = s;
    },
  };
}

describe('the update page', () => {
  it('shows the available release with escaped notes, and the banner on the printers page', async () => {
    const fake = fakeUpdates(status());
    h = await webHarness({ linked: OWNER, extraDeps: { updates: fake.updates } });
    const local = new Visitor(h.loopback);
    const printers = await local.get('/');
    expect(printers.body).toContain('id="update-banner"');
    expect(printers.body).toContain('printos 1.1.0 is available');
    const page = await local.get('/update');
    expect(page.status).toBe(200);
    expect(page.body).toContain('This is printos <strong id="update-current">1.0.0</strong>');
    expect(page.body).toContain('Faster &lt;b&gt;prints&lt;/b&gt;');
    expect(page.body).toContain('Update now to 1.1.0');
    expect(page.body).toContain('31.0 MB');
  });

  it('installs on request and reloads itself while the update runs', async () => {
    const fake = fakeUpdates(status());
    h = await webHarness({ linked: OWNER, extraDeps: { updates: fake.updates } });
    const local = new Visitor(h.loopback);
    await local.get('/update');
    const posted = await local.post('/update/apply');
    expect(posted.location).toBe('/update');
    expect(fake.calls).toEqual(['apply']);
    const page = await local.get('/update');
    expect(page.headers.refresh).toBe('3');
    expect(page.body).toContain('Downloading the release');
    expect(page.body).not.toContain('Update now to');
  });

  it('during a print, says why and offers to update when the printer is idle', async () => {
    const printer = fakePrinter('p-000001', 'Prusa MK3');
    printer.state = 'printing';
    const fake = fakeUpdates(status({ busy: 'Prusa MK3 is printing' }));
    h = await webHarness({
      linked: OWNER,
      printers: [printer],
      extraDeps: { updates: fake.updates },
    });
    const local = new Visitor(h.loopback);
    const page = await local.get('/update');
    expect(page.body).toContain('Prusa MK3 is printing: printos does not update during a');
    expect(page.body).toContain('Update when the printer is idle');
    await local.post('/update/apply', { when_idle: '1' });
    expect(fake.calls).toEqual(['apply-when-idle']);
    expect((await local.get('/update')).body).toContain('waits until no printer is printing');
  });

  it('shows a refusal as a message, and a rollback as a warning', async () => {
    const fake = fakeUpdates(
      status({
        busy: 'Prusa MK3 is printing',
        last: {
          from: '1.0.0',
          to: '1.0.9',
          outcome: 'rolled-back',
          at: '2026-11-27T09:00:00.000Z',
          reason: 'printos 1.0.9 failed its health check: exit code 70',
        },
      }),
    );
    h = await webHarness({ linked: OWNER, extraDeps: { updates: fake.updates } });
    const local = new Visitor(h.loopback);
    await local.get('/update');
    // A form posted without when_idle while a print runs (e.g. the print started since).
    fake.set(status({ busy: 'Prusa MK3 is printing' }));
    await local.post('/update/apply');
    const page = await local.get('/update');
    expect(page.body).toContain('printos never updates now.');
    fake.set(status({ last: fakeLast() }));
    const after = await local.get('/update');
    expect(after.body).toContain('The update to 1.0.9 was rolled back');
    expect(after.body).toContain('exit code 70');
  });

  it('checks on request', async () => {
    const fake = fakeUpdates(status({ phase: 'idle', available: null }));
    h = await webHarness({ linked: OWNER, extraDeps: { updates: fake.updates } });
    const local = new Visitor(h.loopback);
    const page = await local.get('/update');
    expect(page.body).toContain('Up to date.');
    expect(page.body).not.toContain('id="update-banner"');
    await local.post('/update/check');
    expect(fake.calls).toEqual(['check']);
  });

  it('refuses a post without the CSRF token', async () => {
    const fake = fakeUpdates(status());
    h = await webHarness({ linked: OWNER, extraDeps: { updates: fake.updates } });
    const local = new Visitor(h.loopback);
    await local.get('/update');
    const forged = await local.post('/update/apply', {}, {}, null);
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(fake.calls).toEqual([]);
  });
});

describe('in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('from the banner to the release notes, then Update now', async () => {
    const fake = fakeUpdates(status());
    h = await webHarness({ linked: OWNER, anyPorts: true, extraDeps: { updates: fake.updates } });
    await h.server.start();
    const base = h.server.urls.local.replace('127.0.0.1', 'localhost');
    await withPage(browser, async (page) => {
      await page.goto(`${base}/`);
      await Promise.all([page.waitForNavigation(), page.click('#update-banner a')]);
      expect(new URL(page.url()).pathname).toBe('/update');
      expect(await page.textContent('#update-notes')).toBe('Faster <b>prints</b>');
      await page.screenshot({ path: join(SHOTS, 'update.png'), fullPage: true });
      await Promise.all([page.waitForNavigation(), page.click('button:has-text("Update now")')]);
      expect(await page.textContent('#update-phase')).toContain('Downloading the release');
    });
    expect(fake.calls).toEqual(['apply']);
  });
});

describe('a remote user', () => {
  it('confirms their identity before an update restarts the service', async () => {
    let now = 1_000_000;
    const fake = fakeUpdates(status());
    h = await webHarness({
      linked: OWNER,
      os: { pi: 'raspberry' },
      now: () => now,
      extraDeps: { updates: fake.updates },
    });
    const remote = new Visitor(h.loopback, { peer: REMOTE });
    await remote.get('/remote-login');
    await remote.post('/remote-login', { user: 'pi', password: 'raspberry' });
    now += 6 * 60_000;
    await remote.get('/update');
    const answer = await remote.post('/update/apply');
    expect(answer.location).toBe(`/confirm-identity?next=${encodeURIComponent('/update')}`);
    expect(fake.calls).toEqual([]);
    expect((await remote.follow(answer)).body).toContain(
      '<strong>update printos and restart the client service</strong>',
    );
  });
});

describe('the power warning', () => {
  it('shows on the printers page when the board reports under-voltage', async () => {
    let warning: string | null = 'The Raspberry Pi reports under-voltage.';
    h = await webHarness({ linked: OWNER, extraDeps: { powerWarning: () => warning } });
    const local = new Visitor(h.loopback);
    expect((await local.get('/')).body).toContain(
      '<p class="warning" role="alert" id="power-warning">The Raspberry Pi reports under-voltage.</p>',
    );
    warning = null;
    expect((await local.get('/')).body).not.toContain('power-warning');
  });
});

function fakeLast(): UpdateStatus['last'] {
  return {
    from: '1.0.0',
    to: '1.0.9',
    outcome: 'rolled-back',
    at: '2026-11-27T09:00:00.000Z',
    reason: 'printos 1.0.9 failed its health check: exit code 70',
  };
}
