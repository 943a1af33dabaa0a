/**
 * Screen 1, remote access: the OS account (fake PAM here; test/web/pam.test.ts uses the
 * real one) or the linked cloud account only; throttled per account and per real peer;
 * every attempt in the audit log.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, REMOTE, Visitor, webHarness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const LINKED = { email: 'owner@example.com', password: 'owner-pw' };

async function remoteVisitor(peer = REMOTE): Promise<Visitor> {
  const visitor = new Visitor(h.loopback, { peer });
  await visitor.get('/remote-login');
  return visitor;
}

async function auditLines(): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(h.paths.logs, 'web-audit.jsonl'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('screen 1: what it says', () => {
  it('names the linked account as the only cloud account accepted', async () => {
    h = await webHarness({ linked: LINKED });
    const page = await new Visitor(h.loopback, { peer: REMOTE }).get('/remote-login');
    expect(page.body).toContain("this device's OS account</strong> (the SSH user");
    expect(page.body).toContain('linked to (owner@example.com)');
    expect(page.body).toContain('No other cloud account is accepted');
  });

  it('says no cloud account is accepted while the client is unlinked', async () => {
    h = await webHarness({});
    const page = await new Visitor(h.loopback, { peer: REMOTE }).get('/remote-login');
    expect(page.body).toContain('not linked to a cloud account, so no cloud account is');
    expect(page.body).not.toContain('@');
  });

  it('is skipped from loopback', async () => {
    h = await webHarness({ linked: LINKED });
    expect((await new Visitor(h.loopback).get('/remote-login')).location).toBe('/');
  });
});

describe('screen 1: OS accounts', () => {
  it('signs in with the OS account, passing the real peer to PAM', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry' } });
    const remote = await remoteVisitor();
    const answer = await remote.post(
      '/remote-login',
      { user: 'pi', password: 'raspberry' },
      {
        'x-forwarded-for': '127.0.0.1',
      },
    );
    expect(answer.location).toBe('/');
    expect(h.pamCalls).toEqual([{ user: 'pi', peer: REMOTE }]);
    const page = await remote.get('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Prusa MK3');
    expect(page.body).toContain('Signed in as pi (OS account)');
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry' } });
    const wrong = await (await remoteVisitor()).post('/remote-login', {
      user: 'pi',
      password: 'nope',
    });
    const unknown = await (await remoteVisitor('192.168.1.51')).post('/remote-login', {
      user: 'nobody',
      password: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (body: string) => /role="alert">([^<]*)</.exec(body)?.[1];
    expect(message(wrong.body)).toBe('Wrong user name or password.');
    expect(message(unknown.body)).toBe(message(wrong.body));
  });

  it('lets several remote users in at once without touching the linked account', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry', ada: 'lovelace' } });
    const pi = await remoteVisitor('192.168.1.20');
    const ada = await remoteVisitor('192.168.1.21');
    await pi.post('/remote-login', { user: 'pi', password: 'raspberry' });
    await ada.post('/remote-login', { user: 'ada', password: 'lovelace' });
    expect((await pi.get('/')).body).toContain('Signed in as pi');
    expect((await ada.get('/')).body).toContain('Signed in as ada');
    expect(h.service.account?.email).toBe(LINKED.email);
    expect(h.cloudLogins).toEqual([]);
  });

  it('answers a failure only after the failure delay', async () => {
    h = await webHarness({
      linked: LINKED,
      os: { pi: 'raspberry' },
      limits: { failureDelayMs: 150 },
    });
    const remote = await remoteVisitor();
    for (const form of [
      { user: 'pi', password: 'wrong' },
      { user: 'nobody', password: 'wrong' },
      { user: 'someone@example.com', password: 'wrong' },
    ]) {
      const started = Date.now();
      await remote.post('/remote-login', form);
      expect(Date.now() - started, form.user).toBeGreaterThanOrEqual(145);
    }
  });
});

describe('screen 1: cloud accounts', () => {
  it('accepts the linked account, checked offline (no cloud call)', async () => {
    h = await webHarness({ linked: LINKED });
    const remote = await remoteVisitor();
    const answer = await remote.post('/remote-login', {
      user: 'Owner@Example.com',
      password: 'owner-pw',
    });
    expect(answer.location).toBe('/');
    expect((await remote.get('/')).body).toContain(
      'Signed in as owner@example.com (cloud account)',
    );
    expect(h.cloudLogins).toEqual([]);
    expect(h.pamCalls).toEqual([]);
  });

  it('accepts the linked account while logged out (the record stays)', async () => {
    h = await webHarness({ linked: LINKED, loggedIn: false });
    const remote = await remoteVisitor();
    expect(
      (await remote.post('/remote-login', { user: LINKED.email, password: 'owner-pw' })).location,
    ).toBe('/');
    expect((await remote.get('/')).location).toBe('/login');
  });

  it('refuses another cloud account, naming the accepted one', async () => {
    h = await webHarness({ linked: LINKED, cloud: { 'other@example.com': 'other-pw' } });
    const remote = await remoteVisitor();
    const answer = await remote.post('/remote-login', {
      user: 'other@example.com',
      password: 'other-pw',
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain(
      'Only the cloud account this client is linked to (owner@example.com) is accepted here',
    );
    expect((await remote.get('/')).location).toBe('/remote-login');
    expect(h.cloudLogins).toEqual([]);
    expect(h.service.account?.email).toBe(LINKED.email);
  });

  it('refuses the linked email with a wrong password', async () => {
    h = await webHarness({ linked: LINKED });
    const answer = await (await remoteVisitor()).post('/remote-login', {
      user: LINKED.email,
      password: 'x',
    });
    expect(answer.status).toBe(401);
  });

  it('refuses every cloud account while unlinked', async () => {
    h = await webHarness({ cloud: { 'a@example.com': 'pw' } });
    const answer = await (await remoteVisitor()).post('/remote-login', {
      user: 'a@example.com',
      password: 'pw',
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('no cloud account is accepted here');
  });
});

describe('screen 1: throttling and audit', () => {
  it('throttles 100 wrong passwords per account, also from rotating spoofed addresses', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry' } });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) {
      // A different real peer every 10 tries, and a spoofed header every time.
      const remote = await remoteVisitor(`192.168.2.${Math.floor(i / 10) + 1}`);
      const answer = await remote.post(
        '/remote-login',
        { user: 'pi', password: `guess-${i}` },
        {
          'x-forwarded-for': `10.0.0.${i}`,
        },
      );
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((s) => s === 429)).toBe(true);
    expect(h.pamCalls).toHaveLength(5);
    // The right password is refused too while the account is throttled.
    const right = await (await remoteVisitor('192.168.3.1')).post('/remote-login', {
      user: 'pi',
      password: 'raspberry',
    });
    expect(right.status).toBe(429);
  });

  it('throttles one peer trying many accounts, whatever X-Forwarded-For says', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry' } });
    const remote = await remoteVisitor();
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) {
      const answer = await remote.post(
        '/remote-login',
        { user: `user${i}`, password: 'x' },
        {
          'x-forwarded-for': `10.1.1.${i}`,
          'x-real-ip': `10.2.2.${i}`,
        },
      );
      statuses.push(answer.status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // Another peer is not blocked by this one.
    const other = await remoteVisitor('192.168.1.99');
    expect(
      (await other.post('/remote-login', { user: 'pi', password: 'raspberry' })).location,
    ).toBe('/');
  });

  it('answers a throttled unknown account as a throttled real one', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry' } });
    const bodies: string[] = [];
    for (const user of ['pi', 'nobody']) {
      let last = '';
      for (let i = 0; i < 6; i++) {
        last = (
          await (
            await remoteVisitor(`192.168.4.${i + (user === 'pi' ? 1 : 10)}`)
          ).post('/remote-login', { user, password: 'x' })
        ).body;
      }
      bodies.push(/role="alert">([^<]*)</.exec(last)?.[1] ?? '');
    }
    expect(bodies[0]).toContain('Too many failed sign-ins');
    expect(bodies[1]).toBe(bodies[0]);
  });

  it('audits every attempt with the real peer, never the password', async () => {
    h = await webHarness({ linked: LINKED, os: { pi: 'raspberry' } });
    const remote = await remoteVisitor();
    const spoof = { 'x-forwarded-for': '127.0.0.1' };
    await remote.post('/remote-login', { user: 'pi', password: 'secret-wrong' }, spoof);
    await remote.post('/remote-login', { user: 'other@example.com', password: 'secret-2' }, spoof);
    await remote.post('/remote-login', { user: 'pi\u001b[31m', password: 'secret-3' }, spoof);
    await remote.post('/remote-login', { user: 'pi', password: 'raspberry' }, spoof);
    const lines = await auditLines();
    expect(lines.map((l) => [l.screen, l.user, l.peer, l.listener, l.result])).toEqual([
      ['remote-access', 'pi', REMOTE, 'loopback', 'failure'],
      ['remote-access', 'other@example.com', REMOTE, 'loopback', 'refused'],
      ['remote-access', 'pi?[31m', REMOTE, 'loopback', 'failure'],
      ['remote-access', 'pi', REMOTE, 'loopback', 'success'],
    ]);
    expect(lines[3]?.method).toBe('os');
    const file = join(h.paths.logs, 'web-audit.jsonl');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).not.toMatch(/secret|raspberry/);
  });
});
