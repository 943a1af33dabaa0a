/**
 * The link against the real self-hosted cloud (src/cloud-server), on loopback: account
 * login, printer registration, a job uploaded through the cloud's API delivered to the
 * (fake) printer, a pause from the cloud, and the job's completion reaching the cloud.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, type CloudServer, createCloudServer } from '../../src/cloud-server/server.js';
import { silentLogger } from '../../src/core/log.js';
import { loginUser } from '../../src/link/account.js';
import { type CloudClient, createCloudClient } from '../../src/link/cloud-client.js';
import { PrinterLink } from '../../src/link/printer-link.js';
import type { HostIdentity } from '../../src/link/types.js';
import { passwordDigest } from '../../src/streamer-api/index.js';
import { fakePrinter } from './fake-printer.js';
import { manualClock, until } from './link-harness.js';
import { memoryLog } from './memory-log.js';

const EMAIL = 'alice@example.com';
const PASSWORD = 'correct horse battery';
const GCODE = `; job\n${Array.from({ length: 200 }, (_, i) => `G1 X${i} Y${i}`).join('\n')}\n`;
const identity: HostIdentity = {
  host_mac: '0xb827eb123456L',
  local_ip: '127.0.0.1',
  platform: 'linux',
  version: '0.1.0printos',
};

const dir = mkdtempSync(join(tmpdir(), 'printos-link-cloud-'));
let server: CloudServer;
let client: CloudClient;

beforeAll(async () => {
  server = createCloudServer({ dataDir: join(dir, 'cloud'), port: 0, log: silentLogger() });
  await server.start();
  await addUser(join(dir, 'cloud'), EMAIL, PASSWORD);
});

afterAll(async () => {
  client?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function api(token: string, method: string, path: string, body?: FormData) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}` },
    ...(body ? { body } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

describe('the link with the self-hosted cloud', () => {
  it('a wrong password is LOGIN_FAILED with badCredentials', async () => {
    client = createCloudClient({ baseUrl: server.url, log: silentLogger() });
    await expect(
      loginUser(client, { email: EMAIL, passwordDigest: passwordDigest('nope'), identity }),
    ).rejects.toMatchObject({ code: 'LOGIN_FAILED', details: { badCredentials: true } });
  });

  it('links a printer, delivers a job, pauses it, and reports its completion', async () => {
    const memory = memoryLog('trace');
    client = createCloudClient({ baseUrl: server.url, log: memory.log });
    const session = await loginUser(client, {
      email: EMAIL,
      passwordDigest: passwordDigest(PASSWORD),
      identity,
    });
    const printer = fakePrinter();
    const link = new PrinterLink({
      client,
      userToken: session.userToken,
      printer,
      version: identity.version,
      downloadsDir: join(dir, 'downloads'),
      log: memory.log,
      clock: manualClock(),
      onUnlinked: () => {},
      onCloudState: () => {},
      onQuit: () => {},
    });
    try {
      await link.step(); // printer_login
      await link.step(); // first report
      expect(link.state()).toMatchObject({ linked: true });

      const printers = (await api(session.userToken, 'GET', '/api/printers')).json.printers;
      expect(printers).toHaveLength(1);
      const printerId = printers[0].id;
      expect(printers[0]).toMatchObject({ state: 'ready', online: true });

      const form = new FormData();
      form.set('printer_id', String(printerId));
      form.set('start', 'true');
      form.set('file', new Blob([GCODE]), 'cube.gcode');
      const upload = await api(session.userToken, 'POST', '/api/jobs', form);
      expect(upload.status).toBe(201);
      const jobId = upload.json.job.id;

      await link.step(); // the gcodes command arrives; the download starts
      await until(() => printer.jobs.length === 1);
      expect(printer.jobs[0]?.content.toString()).toBe(GCODE);
      expect(printer.jobs[0]?.request).toMatchObject({ filename: 'cube.gcode', cloudJobId: jobId });

      printer.current = {
        ...printer.current,
        job: { filename: 'cube.gcode', cloudJobId: jobId, percent: 40, line: 80 },
      };
      await link.step();
      const job = async () =>
        (await api(session.userToken, 'GET', '/api/jobs')).json.jobs.find(
          (j: { id: number }) => j.id === jobId,
        );
      expect(await job()).toMatchObject({ status: 'printing', percent: 40 });

      expect(
        (await api(session.userToken, 'POST', `/api/printers/${printerId}/pause`)).status,
      ).toBe(202);
      await link.step();
      expect(printer.calls.map((c) => c.method)).toContain('pause');

      printer.current = { ...printer.current, state: 'ready', job: null };
      printer.finish({ outcome: 'completed', filename: 'cube.gcode', cloudJobId: jobId });
      for (let i = 0; i < 3; i++) await link.step();
      expect(await job()).toMatchObject({ status: 'completed', outcome: 'completed' });

      const text = memory.text();
      expect(text).not.toContain(session.userToken);
      expect(text).not.toMatch(/sig=/);
      expect(text).not.toContain(passwordDigest(PASSWORD));
    } finally {
      await link.stop();
    }
  });
});
