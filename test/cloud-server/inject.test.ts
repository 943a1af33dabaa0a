/** In-process checks with app.inject: error shapes, limits, headers, session expiry. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CloudInstance, openCloud } from '../../src/cloud-server/server.js';
import { silentLogger } from '../../src/core/log.js';
import { STREAMER_API } from '../../src/streamer-api/index.js';
import { csrfOf } from './browser.js';
import { fakeClock, PASSWORD } from './harness.js';

let dir: string;
let cloud: CloudInstance;
const clock = fakeClock();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'printos-cloud-inject-'));
  cloud = await openCloud(
    { dataDir: dir, log: silentLogger(), now: clock.now, limits: { jsonBytes: 4096 } },
    () => 'http://cloud.test',
  );
});

afterEach(async () => {
  await cloud.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP edges', () => {
  it('answers malformed JSON with 400 and an oversized body with 413, without stacks', async () => {
    const bad = await cloud.app.inject({
      method: 'POST',
      url: STREAMER_API.command,
      headers: { 'content-type': 'application/json' },
      payload: '{"printer_token": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/json/);
    expect(bad.json()).toMatchObject({ error: { code: 2 } });
    expect(bad.body).not.toMatch(/at .*\.(ts|js):\d+/);
    const big = await cloud.app.inject({
      method: 'POST',
      url: STREAMER_API.command,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ printer_token: 'x'.repeat(5000) }),
    });
    expect(big.statusCode).toBe(413);
  });

  it('answers the JSON API without a token with 401 {error:{code,message}}', async () => {
    const res = await cloud.app.inject({ url: '/api/jobs' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
  });

  it('answers a bad download link with 403 and an unknown page with 404 HTML', async () => {
    const link = await cloud.app.inject({ url: '/streamerapi/download/1?expires=1&sig=00' });
    expect(link.statusCode).toBe(403);
    expect(link.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    const page = await cloud.app.inject({ url: '/nowhere' });
    expect(page.statusCode).toBe(404);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('ends a web session after a week without use', async () => {
    const signup = await cloud.app.inject({ url: '/signup' });
    const cookies = Object.fromEntries(signup.cookies.map((c) => [c.name, c.value]));
    const res = await cloud.app.inject({
      method: 'POST',
      url: '/signup',
      cookies,
      payload: {
        _csrf: csrfOf(signup.body),
        email: 'i@example.com',
        password: PASSWORD,
        password2: PASSWORD,
      },
    });
    expect(res.statusCode).toBe(303);
    const session = res.cookies.find((c) => c.name === 'printos_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const withSession = { ...cookies, printos_session: session?.value ?? '' };
    expect((await cloud.app.inject({ url: '/', cookies: withSession })).statusCode).toBe(200);
    clock.t += 6 * 24 * 60 * 60_000;
    expect((await cloud.app.inject({ url: '/', cookies: withSession })).statusCode).toBe(200);
    clock.t += 7 * 24 * 60 * 60_000 + 1;
    const expired = await cloud.app.inject({ url: '/', cookies: withSession });
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/login');
  });
});
