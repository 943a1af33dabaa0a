import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { type CloudClient, createCloudClient } from '../../src/link/cloud-client.js';
import { MAX_ANSWER_BYTES } from '../../src/streamer-api/index.js';
import { type FakeCloud, type Script, startFakeCloud } from './fake-cloud.js';
import { memoryLog } from './memory-log.js';
import { hasOpenssl, makeTestCa } from './test-ca.js';

const log = silentLogger();
let cloud: FakeCloud | null = null;
let client: CloudClient | null = null;

afterEach(async () => {
  client?.close();
  client = null;
  await cloud?.close();
  cloud = null;
});

async function setup(script: Script, timeoutMs = 2000): Promise<CloudClient> {
  cloud = await startFakeCloud(script);
  client = createCloudClient({ baseUrl: cloud.url, timeoutMs, log });
  return client;
}

function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err as { code: string; details?: Record<string, unknown>; message: string },
  );
}

describe('createCloudClient: which URLs', () => {
  it.each([
    ['http://cloud.example.com'],
    ['http://10.0.0.2:8010'],
    ['ftp://127.0.0.1'],
    ['not a url'],
    ['https://cloud.example.com/?x=1'],
    ['https://user:pw@cloud.example.com'],
  ])('refuses %s with CONFIG_INVALID', (baseUrl) => {
    expect(() => createCloudClient({ baseUrl, log })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it.each([
    ['http://127.0.0.1:8010'],
    ['http://localhost'],
    ['http://[::1]:9'],
    ['https://cloud.example.com'],
  ])('accepts %s', (baseUrl) => {
    createCloudClient({ baseUrl, log }).close();
  });

  it('refuses a CA file it cannot read', () => {
    expect(() =>
      createCloudClient({
        baseUrl: 'https://cloud.example.com',
        caFile: '/nonexistent/ca.pem',
        log,
      }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('posting', () => {
  it('POSTs JSON with Content-Length on one kept-alive connection, under the base path', async () => {
    cloud = await startFakeCloud(() => ({ json: { command: null } }));
    client = createCloudClient({ baseUrl: `${cloud.url}/prefix/`, log });
    await client.post('command', { printer_token: 't', report: { state: 'ready' } });
    await client.post('command', { printer_token: 't', report: { state: 'ready' } });
    const [first, second] = cloud.requests;
    expect(first?.method).toBe('POST');
    expect(first?.path).toBe('/prefix/streamerapi/command');
    expect(first?.headers['content-type']).toBe('application/json');
    expect(Number(first?.headers['content-length'])).toBe(Buffer.byteLength(first?.raw ?? ''));
    expect(first?.headers.connection).toBe('keep-alive');
    expect(first?.body).toEqual({ printer_token: 't', report: { state: 'ready' } });
    expect(second?.remotePort).toBe(first?.remotePort);
  });

  it.each([
    ['an empty body', { text: '' }],
    ['[]', { text: '[]' }],
    ['{}', { json: {} }],
    ['whitespace', { text: ' \n' }],
  ])('%s means no command', async (_name, reply) => {
    const c = await setup(() => reply);
    expect(await c.post('command', {})).toEqual({});
  });

  it('passes a command through, keeping unknown fields', async () => {
    const c = await setup(() => ({ json: { command: 'pause', number: 3, extra: true } }));
    expect(await c.post('command', {})).toEqual({ command: 'pause', number: 3, extra: true });
  });

  it.each([
    ['not JSON', { text: '<html>oops</html>' }, 2],
    ['a JSON string', { text: '"hello"' }, 3],
    ['a wrong field type', { json: { printer_token: 5 } }, 3],
  ])('garbage (%s) → CLOUD_BAD_ANSWER', async (_name, reply, clientError) => {
    const c = await setup(() => reply);
    const err = await rejection(c.post('printerLogin', {}));
    expect(err.code).toBe('CLOUD_BAD_ANSWER');
    expect(err.details?.clientError).toBe(clientError);
  });

  it('an oversized answer → CLOUD_BAD_ANSWER, and the client is still usable', async () => {
    let big = true;
    const c = await setup(() => {
      if (!big) return { json: {} };
      big = false;
      return { text: `{"pad":"${'x'.repeat(MAX_ANSWER_BYTES + 10)}"}` };
    });
    const err = await rejection(c.post('command', {}));
    expect(err.code).toBe('CLOUD_BAD_ANSWER');
    expect(err.details?.clientError).toBe(7);
    expect(await c.post('command', {})).toEqual({});
  });

  it.each([
    [500, 8],
    [404, 8],
    [204, 8],
  ])('HTTP %s → CLOUD_UNREACHABLE (clientError %s)', async (status, clientError) => {
    const c = await setup(() => ({ status }));
    const err = await rejection(c.post('command', {}));
    expect(err.code).toBe('CLOUD_UNREACHABLE');
    expect(err.details?.clientError).toBe(clientError);
    expect(err.message).toContain(String(status));
  });

  it('a dropped connection → CLOUD_UNREACHABLE', async () => {
    const c = await setup(() => ({ drop: true }));
    const err = await rejection(c.post('command', {}));
    expect(err.code).toBe('CLOUD_UNREACHABLE');
    expect([6, 7]).toContain(err.details?.clientError);
  });

  it('a refused connection → CLOUD_UNREACHABLE with clientError 5', async () => {
    const dead = await startFakeCloud();
    const url = dead.url;
    await dead.close();
    client = createCloudClient({ baseUrl: url, log });
    const err = await rejection(client.post('command', {}));
    expect(err.code).toBe('CLOUD_UNREACHABLE');
    expect(err.details?.clientError).toBe(5);
  });

  it('a silent cloud times out, and the timeout grows after each failure, then resets', async () => {
    let hang = true;
    const c = await setup(() => (hang ? { hang: true } : { json: {} }), 200);
    const timed = async () => {
      const started = Date.now();
      const err = await rejection(c.post('command', {}));
      expect(err.code).toBe('CLOUD_UNREACHABLE');
      return Date.now() - started;
    };
    const first = await timed();
    const second = await timed();
    const third = await timed();
    const fourth = await timed();
    expect(first).toBeGreaterThanOrEqual(190);
    expect(first).toBeLessThan(390);
    expect(second).toBeGreaterThanOrEqual(390);
    expect(third).toBeGreaterThanOrEqual(590);
    expect(fourth).toBeLessThan(790); // capped at 3×
    hang = false;
    await c.post('command', {});
    hang = true;
    expect(await timed()).toBeLessThan(390);
  });

  it('an aborted request rejects at once, marked aborted', async () => {
    const c = await setup(() => ({ hang: true }), 5000);
    const controller = new AbortController();
    const pending = rejection(c.post('command', {}, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 20);
    const err = await pending;
    expect(err.details?.aborted).toBe(true);
  });

  it('never logs tokens or password digests, even at trace level', async () => {
    const memory = memoryLog('trace');
    cloud = await startFakeCloud(() => ({
      json: { user_token: 'ANSWERED-TOKEN', user_login: 'me' },
    }));
    client = createCloudClient({ baseUrl: cloud.url, log: memory.log });
    const digest = 'ab'.repeat(32);
    await client.post('userLogin', {
      login: { user: 'me@x', password: digest },
      user_token: 'SENT-TOKEN',
    });
    const text = memory.text();
    expect(text).toContain('cloud request');
    for (const secret of [digest, 'ANSWERED-TOKEN', 'SENT-TOKEN'])
      expect(text).not.toContain(secret);
  });
});

describe.skipIf(!hasOpenssl())('https', () => {
  const dir = mkdtempSync(join(tmpdir(), 'printos-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('verifies the certificate: trusted with the custom CA file, refused without', async () => {
    const ca = makeTestCa(dir);
    const server = createHttpsServer({ key: ca.key, cert: ca.cert }, (_req, res) => {
      res.writeHead(200).end('{"command":null}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const trusting = createCloudClient({ baseUrl, caFile: ca.caFile, log });
    const plain = createCloudClient({ baseUrl, log });
    try {
      expect(await trusting.post('command', {})).toEqual({ command: null });
      const err = await rejection(plain.post('command', {}));
      expect(err.code).toBe('CLOUD_UNREACHABLE');
      expect(trusting.ca?.length).toBeGreaterThan(1);
    } finally {
      trusting.close();
      plain.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
