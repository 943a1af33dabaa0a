/**
 * Screen 1 with the real PAM (service `login`) and an OS user the test creates and
 * removes (needs root: skipped otherwise, with the reason).
 */
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { createPamChecker } from '../../src/web/index.js';
import { type Harness, REMOTE, Visitor, webHarness } from './harness.js';
import { describeAsRoot, withOsUser } from './support/index.js';

let h: Harness | undefined;
afterEach(() => h?.close());

describeAsRoot('screen 1 with PAM', 'creates an OS user', () => {
  it("signs in with the OS account's password, and refuses a wrong one and screen 2", async () => {
    await withOsUser(async (user) => {
      h = await webHarness({ pam: createPamChecker({ log: silentLogger() }) });
      const web = h;
      const right = new Visitor(web.loopback, { peer: REMOTE });
      const wrong = new Visitor(web.loopback, { peer: '192.168.1.51' });
      await Promise.all([right.get('/remote-login'), wrong.get('/remote-login')]);
      // Together: each refusal costs the `login` service's failure delay (3 s on Debian).
      const [ok, refused] = await Promise.all([
        right.post('/remote-login', { user: user.name, password: user.password }),
        wrong.post('/remote-login', { user: user.name, password: `${user.password}x` }),
      ]);
      expect(ok.location).toBe('/');
      expect(refused.status).toBe(401);
      expect((await right.get('/')).location).toBe('/login');
      // The OS account on screen 2 is a cloud login, which the (fake) cloud refuses.
      await right.get('/login');
      const screen2 = await right.post('/login', { email: user.name, password: user.password });
      expect(screen2.status).toBe(401);
      expect(web.service.account).toBeNull();
    });
  });
});
