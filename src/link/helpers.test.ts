import { describe, expect, it } from 'vitest';
import { backoffDelay, ctime } from './loop-timing.js';
import { maskSecrets } from './mask.js';
import { jobEndEvents, loginRefusal } from './outcomes.js';
import { isLoopbackHost, urlRefusal } from './url-rules.js';

describe('isLoopbackHost', () => {
  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.9.8.7', true],
    ['[::1]', true],
    ['[::ffff:7f00:1]', true],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['localhost.evil.com', false],
    ['[::2]', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe('urlRefusal', () => {
  it.each([
    ['https://cloud.example', null],
    ['http://127.0.0.1:8010', null],
    ['http://cloud.example', 'plain http'],
    ['ftp://x', 'not supported'],
    ['https://u:p@cloud.example', 'credentials'],
  ])('%s', (url, expected) => {
    const refusal = urlRefusal(new URL(url));
    if (expected === null) expect(refusal).toBeNull();
    else expect(refusal).toContain(expected);
  });
});

describe('maskSecrets', () => {
  it('masks tokens, digests and signed links, deeply, without touching the original', () => {
    const body = {
      user_token: 'secret-user',
      login: { user: 'a@b.c', password: 'f'.repeat(64), disposable_token: null },
      nested: [{ printer_token: 'secret-printer' }],
      payload: 'https://dl.example/job/abc?sig=SECRET',
      plain: 'text',
    };
    const masked = JSON.stringify(maskSecrets(body));
    for (const secret of ['secret-user', 'f'.repeat(64), 'secret-printer', 'SECRET', '/job/abc']) {
      expect(masked).not.toContain(secret);
    }
    expect(masked).toContain('a@b.c');
    expect(masked).toContain('https://dl.example');
    expect(body.user_token).toBe('secret-user');
  });
});

describe('backoffDelay', () => {
  it.each([
    [1, 0.5, 2000],
    [2, 0.5, 4000],
    [3, 0.5, 8000],
    [5, 0.5, 30000],
    [50, 0.5, 30000],
    [1, 0, 1600],
    [1, 0.999, 2399],
  ])('failure %s, random %s → %s ms', (failures, random, expected) => {
    expect(backoffDelay(failures, 2000, 30_000, random)).toBe(expected);
  });
});

describe('ctime', () => {
  it('formats like Python time.ctime()', () => {
    expect(ctime(new Date(2025, 3, 7, 9, 5, 3))).toBe('Mon Apr  7 09:05:03 2025');
    expect(ctime(new Date(2024, 11, 25, 23, 59, 59))).toBe('Wed Dec 25 23:59:59 2024');
  });
});

describe('outcomes', () => {
  it('job ends become events', () => {
    expect(jobEndEvents({ outcome: 'completed', filename: 'a' }).events).toEqual([
      { state: 'printing', percent: 100 },
      { state: 'ready', percent: 100 },
    ]);
    expect(jobEndEvents({ outcome: 'cancelled', filename: 'a' })).toEqual({
      events: [{ state: 'cancel' }],
    });
    const failed = jobEndEvents({ outcome: 'failed', filename: 'a', message: 'thermal runaway' });
    expect(failed.error).toMatchObject({ code: 610, level: 40 });
    expect(failed.error?.message).toContain('thermal runaway');
  });

  it.each([
    [8, 'retry'],
    [7, 'unlinked'],
    [9, 'unlinked'],
    [1, 'critical'],
    [500, 'critical'],
  ])('printer_login error %s → %s', (code, action) => {
    expect(loginRefusal(code, 'msg').action).toBe(action);
  });
});
