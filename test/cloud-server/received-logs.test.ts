/**
 * Logs the cloud received: a real sendlogs upload by the client's own code (link/send-logs.ts),
 * then `printos cloud logs` (all, one account, JSON) and the account's dashboard list.
 */
import { readFileSync } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CloudIo, runLogs } from '../../src/cli/cloud.js';
import { listReceivedLogsIn } from '../../src/cloud-server/server.js';
import { silentLogger } from '../../src/core/log.js';
import { createCloudClient } from '../../src/link/cloud-client.js';
import { sendLogs } from '../../src/link/send-logs.js';
import { Browser, csrfOf } from './browser.js';
import { call, type Harness, PASSWORD, startCloud, userLoginBody, withUser } from './harness.js';

let h: Harness;

beforeEach(async () => {
  h = await startCloud();
});

afterEach(async () => {
  await h.close();
});

function io(): CloudIo & { out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += chunk;
  });
  return { stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: {}, out: () => text };
}

async function upload(email: string, bundle: Buffer, report?: string): Promise<void> {
  const login = await call(h, 'userLogin', userLoginBody(email));
  if (!login.user_token) throw new Error('login failed');
  const client = createCloudClient({ baseUrl: h.url, log: silentLogger() });
  try {
    await sendLogs(client, { userToken: login.user_token, bundle, ...(report ? { report } : {}) });
  } finally {
    client.close();
  }
}

describe('received logs', () => {
  it('lists what sendlogs stored, newest first, per account, in the CLI and on the dashboard', async () => {
    await withUser(h, 'ann@example.com');
    await withUser(h, 'bob@example.com');
    const first = Buffer.from('PK\u0005\u0006first bundle');
    await upload('ann@example.com', first, '\n  The bed did not heat <b>at all</b>\nsecond line');
    h.clock.t += 60_000;
    await upload('bob@example.com', Buffer.from('PK\u0005\u0006bob'));
    h.clock.t += 60_000;
    await upload(
      'ann@example.com',
      Buffer.from('PK\u0005\u0006second, larger bundle'),
      'Stopped at 50 %',
    );

    const all = await listReceivedLogsIn(h.dir, undefined);
    expect(all.map((l) => [l.account, l.report])).toEqual([
      ['ann@example.com', 'Stopped at 50 %'],
      ['bob@example.com', ''],
      ['ann@example.com', 'The bed did not heat <b>at all</b>'],
    ]);
    const oldest = all[2];
    expect(oldest?.size).toBe(first.length);
    expect(readFileSync(oldest?.path ?? '').equals(first)).toBe(true);
    expect(oldest?.receivedAt).toBe(new Date(h.clock.t - 120_000).toISOString());

    const json = io();
    await runLogs({ dataDir: h.dir, account: 'ANN@example.com', json: true }, json);
    const anns = JSON.parse(json.out()) as { account: string; report: string }[];
    expect(anns.map((l) => l.report)).toEqual([
      'Stopped at 50 %',
      'The bed did not heat <b>at all</b>',
    ]);
    const text = io();
    await runLogs({ dataDir: h.dir }, text);
    expect(text.out()).toContain('bob@example.com');
    expect(text.out()).toContain('(no report)');
    await expect(
      runLogs({ dataDir: h.dir, account: 'nobody@example.com' }, io()),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const browser = new Browser(h.url);
    const form = await browser.get('/login');
    await browser.post('/login', {
      _csrf: csrfOf(form.text),
      email: 'ann@example.com',
      password: PASSWORD,
    });
    const home = await browser.get('/');
    expect(home.status).toBe(200);
    const section = home.text.slice(home.text.indexOf('Logs you sent'));
    expect(section).toContain('Stopped at 50 %');
    expect(section).toContain('The bed did not heat &lt;b&gt;at all&lt;/b&gt;');
    expect(section).not.toContain('<b>at all');
    expect(home.text).not.toContain(oldest?.path ?? 'no path');
    expect(section.match(/<tr><td>/g)?.length).toBe(2);
  });

  it('an empty list says so', async () => {
    const text = io();
    await runLogs({ dataDir: h.dir }, text);
    expect(text.out()).toBe('No logs were received.\n');
  });
});
