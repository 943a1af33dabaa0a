/** The `printos cloud` actions, called directly (main.ts wiring is the lead's). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CloudIo,
  cloudDataDir,
  parseSmtpUrl,
  runOutbox,
  runToken,
  runUserAdd,
  serverOptions,
} from '../../src/cli/cloud.js';
import { openCloud } from '../../src/cloud-server/server.js';
import { silentLogger } from '../../src/core/log.js';
import { passwordDigest } from '../../src/streamer-api/index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'printos-cloud-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io(stdin: string): CloudIo & { out: () => string } {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (chunk) => {
    text += chunk;
  });
  return {
    stdin: Readable.from([stdin]),
    stdout,
    stderr: new PassThrough(),
    env: {},
    out: () => text,
  };
}

describe('cloud user add', () => {
  it('creates an account with the password from standard input', async () => {
    const tty = io('a long password\nignored second line\n');
    await runUserAdd('dave@example.com', { dataDir: dir }, tty);
    expect(tty.out()).toContain('Account dave@example.com created');
    const cloud = await openCloud({ dataDir: dir, log: silentLogger() }, () => 'http://x');
    try {
      const digest = passwordDigest('a long password');
      const account = await cloud.ctx.accounts.authenticate('dave@example.com', digest, '::1');
      expect(account.email).toBe('dave@example.com');
    } finally {
      await cloud.close();
    }
  });

  it('refuses an empty or short password, and a duplicate account', async () => {
    await expect(runUserAdd('e@example.com', { dataDir: dir }, io(''))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(
      runUserAdd('e@example.com', { dataDir: dir }, io('short\n')),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await runUserAdd('e@example.com', { dataDir: dir }, io('long enough\n'));
    await expect(
      runUserAdd('E@example.com', { dataDir: dir }, io('long enough\n')),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('works while the server runs (a second writer in WAL mode)', async () => {
    const cloud = await openCloud({ dataDir: dir, log: silentLogger() }, () => 'http://x');
    try {
      await runUserAdd('f@example.com', { dataDir: dir }, io('long enough\n'));
      expect(cloud.ctx.store.accounts.byEmail('f@example.com')).toBeDefined();
    } finally {
      await cloud.close();
    }
  });
});

describe('cloud outbox', () => {
  it('lists the reset mails with their link, as text and JSON', async () => {
    await runUserAdd('g@example.com', { dataDir: dir }, io('long enough\n'));
    const cloud = await openCloud({ dataDir: dir, log: silentLogger() }, () => 'http://cloud.test');
    try {
      await cloud.ctx.accounts.requestReset('g@example.com', '127.0.0.1');
    } finally {
      await cloud.close();
    }
    const text = io('');
    await runOutbox({ dataDir: dir }, text);
    expect(text.out()).toMatch(
      /^\d{4}-\d\d-\d\dT.*Z {2}g@example\.com {2}Reset your printos cloud password\n {2}http:\/\/cloud\.test\/reset-password\?token=[\w-]{43}\n$/,
    );
    const json = io('');
    await runOutbox({ dataDir: dir, json: true }, json);
    expect(JSON.parse(json.out())).toMatchObject([
      { to: 'g@example.com', link: expect.stringContaining('token=') },
    ]);
  });

  it('says so when the outbox is empty', async () => {
    const empty = io('');
    await runOutbox({ dataDir: dir }, empty);
    expect(empty.out()).toBe('The outbox is empty.\n');
  });
});

describe('cloud options', () => {
  it('defaults the data dir to $PRINTOS_HOME/cloud', () => {
    expect(cloudDataDir({}, { PRINTOS_HOME: '/srv/printos' })).toBe('/srv/printos/cloud');
    expect(cloudDataDir({ dataDir: '/x/y' }, {})).toBe('/x/y');
  });

  it('parses SMTP URLs and validates the port and public URL', () => {
    expect(parseSmtpUrl('smtps://u%40x:p%3Aw@mail.example:2465', 'me@example')).toEqual({
      host: 'mail.example',
      port: 2465,
      secure: true,
      user: 'u@x',
      pass: 'p:w',
      from: 'me@example',
    });
    expect(parseSmtpUrl('smtp://mail.example', undefined)).toMatchObject({
      port: 587,
      secure: false,
    });
    expect(() => parseSmtpUrl('http://mail.example', undefined)).toThrow(/smtp/);
    const log = silentLogger();
    expect(() => serverOptions({ port: 'x' }, {}, log)).toThrow(/--port/);
    expect(() => serverOptions({ publicUrl: 'ftp://x' }, {}, log)).toThrow(/--public-url/);
    const opts = serverOptions(
      { port: '0', dataDir: dir },
      { PRINTOS_SMTP_URL: 'smtp://m.example' },
      log,
    );
    expect(opts).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      smtp: { host: 'm.example' },
    });
  });

  it('cloud token prints a token the JSON API accepts', async () => {
    await runUserAdd('h@example.com', { dataDir: dir }, io('long enough\n'));
    const out = io('');
    await runToken('h@example.com', { dataDir: dir }, out);
    const token = out.out().trim();
    expect(token).toMatch(/^pct_/);
    const cloud = await openCloud({ dataDir: dir, log: silentLogger() }, () => 'http://x');
    try {
      const res = await cloud.app.inject({
        url: '/api/printers',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ printers: [] });
    } finally {
      await cloud.close();
    }
  });
});
