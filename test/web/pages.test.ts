/** Add a printer, remove one, the settings page (with the audit log), and logout. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings-file.js';
import { loadPrinters } from '../../src/service/printers-list.js';
import { fakePrinter, type Harness, Visitor, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };

describe('add a printer', () => {
  it('lists the detected ports with their USB ids and matched profile', async () => {
    h = await webHarness({
      linked: OWNER,
      ports: [
        {
          path: '/dev/ttyACM0',
          vid: '2C99',
          pid: '0002',
          serialNumber: 'CZPX<b>1</b>',
          manufacturer: 'Prusa Research',
        },
        { path: '/dev/ttyS0' },
      ],
    });
    const page = await new Visitor(h.loopback).get('/printers/add');
    expect(page.body).toContain('<code>/dev/ttyACM0</code>');
    expect(page.body).toContain('<td>2C99</td><td>0002</td><td>CZPX&lt;b&gt;1&lt;/b&gt;</td>');
    expect(page.body).toContain('Original Prusa i3 MK3/MK3S/MK3S+');
    expect(page.body).toContain('none matched');
    expect(page.body).toContain('<option value="115200">115200</option>');
  });

  it('adds a detected port, and the service loads it', async () => {
    h = await webHarness({
      linked: OWNER,
      ports: [{ path: '/dev/ttyACM0', vid: '2C99', pid: '0002', serialNumber: 'S1' }],
    });
    const local = new Visitor(h.loopback);
    await local.get('/printers/add');
    const answer = await local.post('/printers/add', { port: '/dev/ttyACM0', baud: '115200' });
    expect(answer.location).toBe('/');
    const [entry] = await loadPrinters(h.paths.printers);
    expect(entry).toMatchObject({
      port: '/dev/ttyACM0',
      baud: 115200,
      identity: { VID: '2C99', PID: '0002', SNR: 'S1' },
    });
    expect((await local.get('/printers/add')).body).toContain(`configured (${entry?.id})`);
  });

  it.each([
    [{ port: 'ttyUSB0' }, 'must be an absolute path'],
    [{ port: '/tmp/does-not-exist-printos' }, 'does not exist'],
    [{ port: '/dev/ttyUSB0', baud: '12345' }, 'must be one of'],
    [{ port: '/dev/ttyUSB0', name: 'a\u0007b' }, 'control characters'],
  ])('refuses %j with a clear message', async (form, message) => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/printers/add');
    const answer = await local.post('/printers/add', form as Record<string, string>);
    expect(answer.status).toBe(400);
    expect(answer.body).toContain(message);
    expect(await loadPrinters(h.paths.printers)).toEqual([]);
  });

  it('removes a configured printer after the confirmation', async () => {
    h = await webHarness({ linked: OWNER, printers: [] });
    const local = new Visitor(h.loopback);
    await local.get('/printers/add');
    await local.post('/printers/add', { port: '/dev/ttyUSB7', name: 'Old one' });
    const [entry] = await loadPrinters(h.paths.printers);
    // The harness's service runs only its fake printers: take a token from another page.
    await local.get('/printers/add');
    const answer = await local.post(`/printers/${entry?.id}/remove`);
    expect(answer.location).toBe('/');
    expect(await loadPrinters(h.paths.printers)).toEqual([]);
    expect((await local.get('/')).body).toContain('Removed Old one.');
  });
});

describe('settings', () => {
  it('saves valid settings and says which wait for a restart', async () => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/settings');
    const answer = await local.post('/settings', {
      profile: 'rpi',
      external: '',
      httpPort: '8080',
      httpsPort: '8443',
      certFile: '',
      keyFile: '',
      allowedHosts: 'printer.example.com  Farm.Local',
      cloudUrl: 'https://cloud.example.com',
      autologin: 'on',
      updateEnabled: 'on',
      updateHours: '6',
    });
    expect(answer.location).toBe('/settings');
    const saved = await loadSettings(h.paths.settings);
    expect(saved.web).toMatchObject({
      profile: 'rpi',
      external: null,
      httpPort: 8080,
      httpsPort: 8443,
      allowedHosts: ['printer.example.com', 'farm.local'],
      openBrowser: false,
    });
    expect(saved.cloud.url).toBe('https://cloud.example.com');
    expect(saved.update).toEqual({ enabled: true, checkIntervalHours: 6 });
    const page = await local.get('/settings');
    expect(page.body).toContain('Settings saved.');
    expect(page.body).toContain(
      'web.profile, web.httpPort, web.httpsPort, web.allowedHosts, cloud.url, update.checkIntervalHours',
    );
    expect(page.body).toContain('take effect when the service starts again');
  });

  it('lists every problem and saves nothing', async () => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/settings');
    const answer = await local.post('/settings', {
      profile: 'server',
      httpPort: '443',
      httpsPort: '443',
      certFile: 'relative.pem',
      keyFile: '',
      allowedHosts: 'evil.example/path',
      cloudUrl: 'http://cloud.example.com',
      updateHours: '0',
    });
    expect(answer.status).toBe(400);
    for (const text of [
      'web.profile',
      'web.certFile',
      'web.allowedHosts.0',
      'cloud.url: plain http',
      'update.checkIntervalHours',
    ]) {
      expect(answer.body).toContain(text);
    }
    expect(answer.body).toContain('value="relative.pem"');
    expect((await loadSettings(h.paths.settings)).web.httpPort).toBe(80);
    const clash = await local.post('/settings', {
      profile: 'desktop',
      httpPort: '8443',
      httpsPort: '8443',
      cloudUrl: 'embedded',
    });
    expect(clash.status).toBe(400);
    expect(clash.body).toContain('web.httpsPort: must differ from web.httpPort');
  });

  it('saves a printer settings and renames the running printer', async () => {
    h = await webHarness({ linked: OWNER, printers: [] });
    const local = new Visitor(h.loopback);
    await local.get('/printers/add');
    await local.post('/printers/add', { port: '/dev/ttyUSB3' });
    const [entry] = await loadPrinters(h.paths.printers);
    await local.get('/settings');
    const answer = await local.post(`/printers/${entry?.id}/settings`, {
      name: 'Ender <3>',
      baud: '250000',
      flow: 'ping-pong',
      rxBufferBytes: '64',
      commandSlots: '',
      parenComments: 'true',
      resetOnConnect: '',
    });
    expect(answer.location).toBe('/settings');
    const [saved] = await loadPrinters(h.paths.printers);
    expect(saved).toMatchObject({
      name: 'Ender <3>',
      baud: 250000,
      settings: { flow: 'ping-pong', rxBufferBytes: 64, parenComments: true },
    });
    const page = await local.get('/settings');
    expect(page.body).toContain('Printer Ender &lt;3&gt;');
    await local.post(`/printers/${entry?.id}/settings`, { rxBufferBytes: '5' });
    expect((await local.get('/settings')).body).toMatch(
      /role="alert">Invalid printer change: settings.rxBufferBytes/,
    );
  });

  it('shows the audit log, escaped', async () => {
    h = await webHarness({ linked: OWNER, os: { pi: 'raspberry' } });
    const remote = new Visitor(h.loopback, { peer: '10.9.8.7' });
    await remote.get('/remote-login');
    await remote.post('/remote-login', { user: '<b>x</b>@example.com', password: 'nope' });
    await remote.post('/remote-login', { user: 'pi', password: 'raspberry' });
    const page = await remote.get('/settings');
    expect(page.body).toContain('Audit log');
    expect(page.body).toMatch(/<td>remote-access<\/td><td>pi \(os\)<\/td>\s*<td>10\.9\.8\.7/);
    expect(page.body).toContain('&lt;b&gt;x&lt;/b&gt;@example.com');
  });
});

describe('logout', () => {
  it('names the printers that disconnect and the prints that stop, then stops the service', async () => {
    const busy = fakePrinter('p-000001', 'Prusa MK3');
    busy.state = 'printing';
    busy.job = { filename: 'benchy.gcode', percent: 40 };
    const idle = fakePrinter('p-000002', 'Ender 3');
    h = await webHarness({ linked: OWNER, printers: [busy, idle] });
    const local = new Visitor(h.loopback);
    const other = new Visitor(h.loopback);
    await other.get('/');
    const confirm = await local.get('/logout');
    expect(confirm.body).toContain(
      '<ul id="logout-printers"><li>Prusa MK3</li><li>Ender 3</li></ul>',
    );
    expect(confirm.body).toContain('<ul id="logout-prints"><li>Prusa MK3: benchy.gcode</li></ul>');
    expect(h.shutdowns).toEqual([]);
    const done = await local.post('/logout');
    expect(done.status).toBe(200);
    expect(done.body).toContain('The client service is stopping');
    expect(done.body).toContain('<li>benchy.gcode</li>');
    expect(h.shutdowns).toEqual(['logout']);
    expect(busy.actions).toContain('stop');
    // Every session ended: another browser's form is refused.
    expect((await other.post('/printers/p-000002/emergency-stop')).status).toBe(403);
  });

  it('from offline mode only leaves offline mode', async () => {
    h = await webHarness({ offline: true });
    const local = new Visitor(h.loopback);
    const confirm = await local.get('/logout');
    expect(confirm.body).toContain('Leave offline mode?');
    expect((await local.post('/logout')).location).toBe('/login');
    expect(h.service.offline).toBe(false);
    expect(h.shutdowns).toEqual([]);
    expect(h.printers[0]?.actions).toEqual([]);
  });
});

describe('malformed and oversized requests', () => {
  it('refuses an oversized form with 413 and a page', async () => {
    h = await webHarness({ linked: OWNER, limits: { formBytes: 2048 } });
    const local = new Visitor(h.loopback);
    await local.get('/login');
    const answer = await local.post('/settings', { cloudUrl: 'x'.repeat(5000) });
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toMatch(/^text\/html/);
  });

  it.each([
    ['a field given twice', 'email=a&email=b&password=x'],
    ['an over-long field', `email=${'a'.repeat(300)}&password=x`],
    ['broken percent-encoding', 'email=%E0%A4%A&password=%'],
  ])('answers %s without a crash', async (_name, body) => {
    h = await webHarness({});
    const local = new Visitor(h.loopback);
    const page = await local.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1];
    const answer = await local.send({
      method: 'POST',
      url: '/login',
      payload: `_csrf=${csrf}&${body}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).not.toMatch(/node_modules|\.ts:\d+/);
  });
});
