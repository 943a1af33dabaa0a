/**
 * The printers list: what it shows (escaped), the controls, uploads (stored under a
 * generated name, capped, never served), and the live state.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PrintosError } from '../../src/core/errors.js';
import { csrfOf, fakePrinter, type Harness, Visitor, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const OWNER = { email: 'owner@example.com', password: 'owner-pw' };
const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>"\'`';

function multipart(
  parts: Array<{ name: string; value?: string; filename?: string; body?: Buffer }>,
) {
  const boundary = '----printos-test-boundary';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.filename}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n`));
    if (part.filename !== undefined) chunks.push(Buffer.from('Content-Type: text/html\r\n'));
    chunks.push(
      Buffer.from('\r\n'),
      part.body ?? Buffer.from(part.value ?? ''),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(
  visitor: Visitor,
  filename: string,
  body: Buffer,
  csrf = csrfOf(visitor.last),
) {
  const form = multipart([
    ...(csrf === null ? [] : [{ name: '_csrf', value: csrf }]),
    { name: 'file', filename, body },
  ]);
  return visitor.send({
    method: 'POST',
    url: '/printers/p-000001/upload',
    payload: form.payload,
    headers: { 'content-type': form.type },
  });
}

async function uploads(): Promise<string[]> {
  return readdir(join(h.dir, 'uploads')).catch(() => []);
}

describe('the printers list', () => {
  it('shows state, temperatures with targets, job, progress, time left and cloud state', async () => {
    let now = 1_000_000;
    const printer = fakePrinter('p-000001', 'Prusa MK3');
    printer.state = 'printing';
    printer.job = { filename: 'benchy.gcode', percent: 10 };
    printer.temps = [
      { id: 'T0', current: 209.6, target: 210 },
      { id: 'B', current: 59.9, target: 60 },
    ];
    h = await webHarness({ linked: OWNER, printers: [printer], now: () => now });
    const local = new Visitor(h.loopback);
    await local.get('/');
    now += 60_000;
    printer.job.percent = 20;
    const page = await local.get('/');
    expect(page.body).toContain(
      '<dd data-field="temperatures">Tool 1 209.6 / 210 °C · Bed 59.9 / 60 °C</dd>',
    );
    expect(page.body).toContain('<dd data-field="job">benchy.gcode</dd>');
    expect(page.body).toContain('<progress max="100" value="20"');
    expect(page.body).toContain('>20.0 %<');
    expect(page.body).toContain('<dd data-field="timeLeft">8 min</dd>');
    expect(page.body).toContain('<dd data-field="cloud">linked</dd>');
    expect(page.body).toMatch(/action="\/printers\/p-000001\/pause" data-when="printing">/);
    expect(page.body).toMatch(/action="\/printers\/p-000001\/upload"[^>]*hidden>/);
  });

  it('escapes printer names, file names and firmware messages', async () => {
    const printer = fakePrinter('p-000001', XSS);
    printer.state = 'printing';
    printer.job = { filename: `${XSS}.gcode`, percent: 1 };
    printer.error = `Error:${XSS}`;
    printer.lastJob = { seq: 1, filename: XSS, outcome: 'failed', message: XSS, finishedAt: '' };
    h = await webHarness({ linked: OWNER, printers: [printer] });
    const local = new Visitor(h.loopback);
    for (const path of ['/', '/printers/p-000001/cancel', '/printers/p-000001/remove', '/logout']) {
      const page = await local.get(path);
      expect(page.status, path).toBe(200);
      expect(page.body, path).not.toContain('<img src=x');
      expect(page.body, path).not.toContain('<script>alert');
      expect(page.body, path).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
    const state = await local.get('/ui/state');
    expect(JSON.parse(state.body).printers[0].name).toBe(XSS);
    expect(state.headers['content-type']).toMatch(/^application\/json/);
  });

  it('pauses, resumes, and cancels only after the confirmation page', async () => {
    const printer = fakePrinter('p-000001');
    printer.state = 'printing';
    printer.job = { filename: 'a.gcode', percent: 5 };
    h = await webHarness({ linked: OWNER, printers: [printer] });
    const local = new Visitor(h.loopback);
    await local.get('/');
    expect((await local.post('/printers/p-000001/pause')).location).toBe('/');
    expect((await local.get('/')).body).toContain('Pausing Printer p-000001.');
    await local.post('/printers/p-000001/resume');
    const confirm = await local.get('/printers/p-000001/cancel');
    expect(confirm.body).toContain('Cancel the print?');
    expect(printer.actions).toEqual(['pause', 'resume']);
    await local.post('/printers/p-000001/cancel');
    expect(printer.actions).toEqual(['pause', 'resume', 'cancel']);
  });

  it('sends the emergency stop', async () => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/');
    await local.post('/printers/p-000001/emergency-stop');
    expect(h.printers[0]?.actions).toEqual(['emergency-stop']);
  });

  it('shows a refused action as a message, and an unknown printer as 404', async () => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/');
    await local.post('/printers/p-000001/pause');
    expect((await local.get('/')).body).toContain('role="alert">no job to pause<');
    await local.get('/');
    expect((await local.post('/printers/p-999999/pause')).status).toBe(404);
    expect((await local.get('/printers/..%2f..%2fetc/cancel')).status).toBe(404);
  });
});

describe('uploads', () => {
  it('stores the file under a generated name and prints it (offline too)', async () => {
    h = await webHarness({ offline: true });
    const local = new Visitor(h.loopback);
    await local.get('/');
    const answer = await upload(local, '../../etc/evil name.gcode', Buffer.from('G28\nG1 X10\n'));
    expect(answer.location).toBe('/');
    const job = h.printers[0]?.jobs[0];
    expect(job?.filename).toBe('evil name.gcode');
    expect(job?.deleteAfter).toBe(true);
    expect(job?.path.startsWith(join(h.dir, 'uploads'))).toBe(true);
    expect((await uploads())[0]).toMatch(/^\d+-[0-9a-f]{12}\.gcode$/);
    expect((await stat(job?.path ?? '')).mode & 0o777).toBe(0o600);
    expect((await local.get('/')).body).toContain('Printing evil name.gcode on Prusa MK3.');
  });

  it.each([
    ['C:\\Users\\me\\part.GCODE', 'part.GCODE'],
    ['\u202Egcode.exe.gcode', 'gcode.exe.gcode'],
    [`${'a'.repeat(300)}.gcode`, `${'a'.repeat(94)}.gcode`],
    ['.gcode', 'upload.gcode'],
    ['<img src=x onerror=alert(1)>.g', '<img src=x onerror=alert(1)>.g'],
  ])('shows %j as %j', async (raw, shown) => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/');
    await upload(local, raw, Buffer.from('G28\n'));
    expect(h.printers[0]?.jobs[0]?.filename).toBe(shown);
    expect((await local.get('/')).body).not.toContain('<img src=x');
  });

  it.each(['evil.html', 'evil.svg', 'evil.gcode.php', 'noextension', 'x.gcode\u0000.html'])(
    'refuses %j',
    async (name) => {
      h = await webHarness({ linked: OWNER });
      const local = new Visitor(h.loopback);
      await local.get('/');
      await upload(local, name, Buffer.from('<script>alert(1)</script>'));
      expect(h.printers[0]?.jobs).toEqual([]);
      expect((await uploads()).filter((f) => !f.endsWith('.part'))).toEqual([]);
      expect((await local.get('/')).body).toContain('printos prints G-code files');
    },
  );

  it('refuses an upload without the CSRF field, before storing anything', async () => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/');
    expect((await upload(local, 'a.gcode', Buffer.from('G28\n'), null)).status).toBe(403);
    expect((await upload(local, 'a.gcode', Buffer.from('G28\n'), 'y'.repeat(43))).status).toBe(403);
    expect(await uploads()).toEqual([]);
    expect(h.printers[0]?.jobs).toEqual([]);
  });

  it('caps the size and leaves no file behind', async () => {
    h = await webHarness({ linked: OWNER, limits: { uploadBytes: 1000 } });
    const local = new Visitor(h.loopback);
    await local.get('/');
    const answer = await upload(local, 'big.gcode', Buffer.alloc(5000, 'G1 X1\n'));
    expect(answer.location).toBe('/');
    expect((await local.get('/')).body).toContain('larger than uploads may be');
    expect(await uploads()).toEqual([]);
    expect(h.printers[0]?.jobs).toEqual([]);
  });

  it('refuses while the printer is busy, and removes a file the printer refused', async () => {
    const printer = fakePrinter('p-000001');
    printer.state = 'printing';
    printer.job = { filename: 'other.gcode', percent: 3 };
    h = await webHarness({ linked: OWNER, printers: [printer] });
    const local = new Visitor(h.loopback);
    await local.get('/');
    await upload(local, 'a.gcode', Buffer.from('G28\n'));
    expect((await local.get('/')).body).toContain('is printing; it cannot start a print now');
    printer.state = 'ready';
    printer.job = null;
    printer.refuseJob = new PrintosError('FILE_INVALID', 'not G-code at all');
    await upload(local, 'b.gcode', Buffer.from('G28\n'));
    expect((await local.get('/')).body).toContain('not G-code at all');
    expect(await uploads()).toEqual([]);
  });

  it('never serves an upload back', async () => {
    h = await webHarness({ offline: true });
    const local = new Visitor(h.loopback);
    await local.get('/');
    await upload(local, 'a.gcode', Buffer.from('<html><script>alert(1)</script>'));
    const [name] = await uploads();
    for (const path of [`/uploads/${name}`, `/static/../uploads/${name}`, `/static/${name}`]) {
      const answer = await local.get(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toContain('<script>alert(1)');
    }
  });

  it('refuses malformed multipart bodies cleanly', async () => {
    h = await webHarness({ linked: OWNER });
    const local = new Visitor(h.loopback);
    await local.get('/');
    const answer = await local.send({
      method: 'POST',
      url: '/printers/p-000001/upload',
      payload: Buffer.from('--x\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nabc'),
      headers: { 'content-type': 'multipart/form-data; boundary=x' },
    });
    expect(answer.status).toBeLessThan(500);
    expect(answer.body).not.toMatch(/node_modules|at .*\(/);
    expect(h.printers[0]?.jobs).toEqual([]);
    expect((await local.get('/')).body).toContain('The upload is not a valid form.');
  });
});

describe('live state', () => {
  it('streams the state as server-sent events, escaped only by JSON', async () => {
    const printer = fakePrinter('p-000001', XSS);
    h = await webHarness({ linked: OWNER, printers: [printer] });
    await h.server.start();
    const url = `${h.server.urls.local}/ui/events`;
    const controller = new AbortController();
    const response = await fetch(url, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    const read = async (until: RegExp) => {
      while (!until.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    };
    await read(/\n\n/);
    expect(text).toMatch(/^event: state\ndata: \{.*\}\n\n/);
    printer.state = 'paused';
    await read(/"state":"paused"/);
    controller.abort();
  });

  it('limits the number of open streams', async () => {
    h = await webHarness({ linked: OWNER, limits: { maxLiveStreams: 1 } });
    await h.server.start();
    const first = new AbortController();
    const open = await fetch(`${h.server.urls.local}/ui/events`, { signal: first.signal });
    expect(open.status).toBe(200);
    const second = await fetch(`${h.server.urls.local}/ui/events`);
    expect(second.status).toBe(429);
    first.abort();
  });
});
