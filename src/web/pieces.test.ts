import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { linkedAccountFor } from '../service/credentials.js';
import { passwordDigest } from '../streamer-api/index.js';
import { linkedAccountChecker, onlineCheckFrom } from './cloud-check.js';
import { openerFor } from './open-browser.js';
import { formatDuration, ProgressTracker } from './progress.js';
import { displayName } from './uploads.js';

describe('linkedAccountChecker', () => {
  const params = { N: 1024, r: 8, p: 1 };

  it('accepts only the linked account, offline', async () => {
    const record = await linkedAccountFor('owner@example.com', passwordDigest('pw'), params);
    const check = linkedAccountChecker({ linkedAccount: async () => record, log: silentLogger() });
    expect(await check('OWNER@example.com', 'pw')).toBe(true);
    expect(await check('owner@example.com', 'pw2')).toBe(false);
    expect(await check('other@example.com', 'pw')).toBe(false);
    const none = linkedAccountChecker({ linkedAccount: async () => null, log: silentLogger() });
    expect(await none('owner@example.com', 'pw')).toBe(false);
  });

  it('lets a reachable cloud refuse, and falls back to the verifier when it is not', async () => {
    const record = await linkedAccountFor('owner@example.com', passwordDigest('pw'), params);
    const asked: string[] = [];
    const answers = { now: 'refused' as 'accepted' | 'refused' | 'unreachable' };
    const check = linkedAccountChecker({
      linkedAccount: async () => record,
      online: async (email) => {
        asked.push(email);
        return answers.now;
      },
      log: silentLogger(),
    });
    expect(await check('owner@example.com', 'pw')).toBe(false);
    answers.now = 'unreachable';
    expect(await check('owner@example.com', 'pw')).toBe(true);
    expect(await check('owner@example.com', 'wrong')).toBe(false);
    expect(asked).toEqual(['owner@example.com', 'owner@example.com']);
  });

  it('maps the link login errors', async () => {
    const refused = Object.assign(new Error('x'), {
      code: 'LOGIN_FAILED',
      details: { badCredentials: true },
    });
    const down = Object.assign(new Error('x'), { code: 'CLOUD_UNREACHABLE' });
    expect(await onlineCheckFrom(async () => ({}))('a', 'b')).toBe('accepted');
    expect(await onlineCheckFrom(async () => Promise.reject(refused))('a', 'b')).toBe('refused');
    expect(await onlineCheckFrom(async () => Promise.reject(down))('a', 'b')).toBe('unreachable');
  });
});

describe('progress and names', () => {
  it('estimates time left from the rate of progress', () => {
    let now = 0;
    const tracker = new ProgressTracker(() => now);
    expect(tracker.secondsLeft('p', { filename: 'a', percent: 10 })).toBeNull();
    now = 60_000;
    expect(tracker.secondsLeft('p', { filename: 'a', percent: 20 })).toBe(480);
    expect(tracker.secondsLeft('p', { filename: 'b', percent: 0 })).toBeNull();
    expect(tracker.secondsLeft('p', null)).toBeNull();
    expect([formatDuration(42), formatDuration(600), formatDuration(3725)]).toEqual([
      '42 s',
      '10 min',
      '1 h 2 min',
    ]);
  });

  it.each([
    ['part.gcode', 'part.gcode'],
    ['/etc/../x.gco', 'x.gco'],
    ['a\\b\\c.G', 'c.G'],
    ['n\u0000a\u001bme.gcode', 'name.gcode'],
    ['e\u0301.gcode', '\u00e9.gcode'],
  ])('shows an upload %j as %j', (raw, shown) => {
    expect(displayName(raw)).toBe(shown);
  });

  it('opens a browser only with a display', () => {
    expect(openerFor('linux', {})).toBeUndefined();
    expect(openerFor('linux', { DISPLAY: ':0' })).toEqual(['xdg-open']);
    expect(openerFor('darwin', {})).toEqual(['open']);
  });
});
