import { describe, expect, it } from 'vitest';
import { SessionStore } from './sessions.js';
import { LoginThrottle } from './throttle.js';

describe('SessionStore', () => {
  const limits = { idleMs: 100, maxMs: 1000, maxSessions: 3 };

  it('finds a session by its id only, and expires it', () => {
    let now = 0;
    const store = new SessionStore(limits, () => now);
    const { id, session } = store.create(null);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.key).not.toContain(id);
    expect(store.find(id)).toBe(session);
    expect(store.find(`${id.slice(0, -1)}A`)).toBeNull();
    now = 99;
    expect(store.find(id)).toBe(session);
    now = 200;
    expect(store.find(id)).toBeNull();
  });

  it('expires at the absolute limit however busy', () => {
    let now = 0;
    const store = new SessionStore(limits, () => now);
    const { id } = store.create(null);
    for (now = 50; now <= 1000; now += 50) expect(store.find(id)).not.toBeNull();
    now = 1001;
    expect(store.find(id)).toBeNull();
  });

  it('replaces the session it came from, and binds CSRF tokens to the session', () => {
    const store = new SessionStore(limits, () => 0);
    const first = store.create(null);
    const second = store.create({ method: 'os', user: 'pi' }, first.session);
    expect(store.find(first.id)).toBeNull();
    expect(store.csrfValid(second.session, store.csrfToken(second.session))).toBe(true);
    expect(store.csrfValid(second.session, store.csrfToken(first.session))).toBe(false);
    expect(store.csrfValid(second.session, undefined)).toBe(false);
    expect(store.csrfValid(second.session, ['x'])).toBe(false);
  });

  it('keeps signed-in sessions over anonymous ones at the cap', () => {
    const store = new SessionStore(limits, () => 0);
    const signedIn = store.create({ method: 'os', user: 'pi' });
    for (let i = 0; i < 10; i++) store.create(null);
    expect(store.size).toBeLessThanOrEqual(3);
    expect(store.find(signedIn.id)).toBe(signedIn.session);
  });

  it('revokes all but one', () => {
    const store = new SessionStore({ ...limits, maxSessions: 10 }, () => 0);
    const keep = store.create(null);
    const other = store.create(null);
    expect(store.revokeAll(keep.session)).toBe(1);
    expect(store.find(other.id)).toBeNull();
    expect(store.isLive(keep.session)).toBe(true);
    expect(store.isLive(other.session)).toBe(false);
  });
});

describe('LoginThrottle', () => {
  const limits = { perAccount: 3, perPeer: 5, windowMs: 1000 };

  it('blocks an account after its failures, whoever tries', () => {
    const throttle = new LoginThrottle(limits, () => 0);
    for (let i = 0; i < 3; i++) throttle.recordFailure('Pi ', `10.0.0.${i}`);
    expect(throttle.isBlocked('pi', '10.9.9.9')).toBe(true);
    expect(throttle.isBlocked('ada', '10.9.9.9')).toBe(false);
  });

  it('blocks a peer trying many accounts, and forgets after the window', () => {
    let now = 0;
    const throttle = new LoginThrottle(limits, () => now);
    for (let i = 0; i < 5; i++) throttle.recordFailure(`user${i}`, '10.0.0.1');
    expect(throttle.isBlocked('new', '10.0.0.1')).toBe(true);
    now = 1001;
    expect(throttle.isBlocked('new', '10.0.0.1')).toBe(false);
  });

  it("clears an account's count at a success, not the peer's", () => {
    const throttle = new LoginThrottle({ ...limits, perPeer: 3 }, () => 0);
    for (let i = 0; i < 3; i++) throttle.recordFailure('pi', '10.0.0.1');
    throttle.recordSuccess('pi');
    expect(throttle.isBlocked('pi', '10.0.0.2')).toBe(false);
    expect(throttle.isBlocked('pi', '10.0.0.1')).toBe(true);
  });
});
