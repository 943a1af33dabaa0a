/** The JSON API for scripts: uploads (limits, names, ownership), job and printer actions. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  api,
  call,
  commandBody,
  type Harness,
  linkPrinter,
  startCloud,
  uploadJob,
  withUser,
} from './harness.js';

const ANN = 'ann@example.com';
let h: Harness;

beforeEach(async () => {
  h = await startCloud({ limits: { uploadBytes: 1024 } });
  await withUser(h, ANN);
});

afterEach(async () => {
  await h.close();
});

const jobFiles = () => readdirSync(join(h.dir, 'jobs')).filter((name) => !name.startsWith('.'));

describe('uploads', () => {
  it('refuses a file that is not G-code, one over the limit, and another account’s printer', async () => {
    const { userToken } = await linkPrinter(h, ANN);
    const exe = await uploadJob(h, userToken, 1, 'MZ', { filename: 'tool.exe' });
    expect(exe.status).toBe(400);
    expect(exe.json.error.code).toBe('INVALID_ARGUMENT');
    const big = await uploadJob(h, userToken, 1, 'G1 X1\n'.repeat(400));
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('PAYLOAD_TOO_LARGE');
    await withUser(h, 'bob@example.com');
    const bob = await linkPrinter(h, 'bob@example.com', { hostMac: 'host-b', snr: 'B1' });
    const foreign = await uploadJob(h, bob.userToken, 1, 'G28\n');
    expect(foreign.status).toBe(404);
    expect(jobFiles()).toEqual([]);
    const zip = await uploadJob(h, userToken, 1, 'PK', { filename: 'dir\\part.ZIP' });
    expect(zip.status).toBe(201);
    expect(zip.json.job).toMatchObject({ filename: 'part.ZIP', status: 'queued' });
    expect(jobFiles()).toEqual([`${zip.json.job.id}.zip`]);
  });

  it('keeps a job queued when the printer is busy, and removes or cancels queued jobs', async () => {
    const { userToken, printerToken } = await linkPrinter(h, ANN);
    await call(h, 'command', commandBody(printerToken, { state: 'printing', percent: 3 }));
    const up = await uploadJob(h, userToken, 1, 'G28\n', { start: true });
    expect(up.json).toMatchObject({ started: false, job: { status: 'queued' } });
    expect(up.json.not_started).toMatch(/not ready/);
    const start = await api(h, userToken, 'POST', `/api/jobs/${up.json.job.id}/start`);
    expect(start.status).toBe(409);
    expect(start.json.error.code).toBe('PRINTER_BUSY');
    const cancel = await api(h, userToken, 'POST', `/api/jobs/${up.json.job.id}/cancel`);
    expect(cancel.json.job).toMatchObject({ status: 'cancelled' });
    expect(jobFiles()).toEqual([]);
    const second = await uploadJob(h, userToken, 1, 'G28\n');
    expect((await api(h, userToken, 'DELETE', `/api/jobs/${second.json.job.id}`)).status).toBe(204);
    expect(jobFiles()).toEqual([]);
    expect((await api(h, userToken, 'GET', '/api/jobs')).json.jobs).toHaveLength(1);
  });
});

describe('printers', () => {
  it('renames a printer with a set_name command, and refuses to pause an idle one', async () => {
    const { userToken, printerToken } = await linkPrinter(h, ANN);
    await call(h, 'command', commandBody(printerToken, { state: 'ready' }));
    const pause = await api(h, userToken, 'POST', '/api/printers/1/pause');
    expect(pause.status).toBe(409);
    expect(pause.json.error.code).toBe('CONFLICT');
    const renamed = await api(h, userToken, 'PATCH', '/api/printers/1', {
      name: 'Prusa\u0007 MK4',
    });
    expect(renamed.json.printer).toMatchObject({ name: 'Prusa  MK4' });
    const cmd = await call(h, 'command', commandBody(printerToken, { state: 'ready' }));
    expect(cmd).toMatchObject({ command: 'set_name', payload: 'Prusa  MK4', number: 1 });
    expect((await api(h, userToken, 'GET', '/api/printers/1/nothing')).status).toBe(404);
  });
});
