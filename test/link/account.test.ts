import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.js';
import { loginUser } from '../../src/link/account.js';
import { type CloudClient, createCloudClient } from '../../src/link/cloud-client.js';
import type { HostIdentity } from '../../src/link/types.js';
import { passwordDigest, userLoginRequestSchema } from '../../src/streamer-api/index.js';
import { type FakeCloud, type Reply, startFakeCloud } from './fake-cloud.js';

const identity: HostIdentity = {
  host_mac: '0xb827eb123456L',
  local_ip: '127.0.0.1',
  platform: 'linux',
  version: '0.1.0printos',
};
const digest = passwordDigest('correct horse');

let cloud: FakeCloud | null = null;
let client: CloudClient | null = null;
afterEach(async () => {
  client?.close();
  await cloud?.close();
  cloud = null;
  client = null;
});

async function login(reply: Reply, email = 'me@example.com') {
  cloud = await startFakeCloud(() => reply);
  client = createCloudClient({ baseUrl: cloud.url, log: silentLogger() });
  return loginUser(client, { email, passwordDigest: digest, identity });
}

describe('loginUser', () => {
  it('sends a conforming user_login and returns the token', async () => {
    const session = await login({ json: { user_token: 'tok-1', user_login: 'Me' } });
    expect(session).toEqual({ userToken: 'tok-1', login: 'Me' });
    const [body] = cloud?.bodies('/streamerapi/user_login') ?? [];
    expect(userLoginRequestSchema.parse(body)).toEqual(body);
    expect(body).toEqual({
      login: { user: 'me@example.com', password: digest, disposable_token: null },
      platform: 'linux',
      host_mac: '0xb827eb123456L',
      local_ip: '127.0.0.1',
      version: '0.1.0printos',
      profiles_sha256: '',
    });
  });

  it('falls back to the email when the cloud sends no login name', async () => {
    expect((await login({ json: { user_token: 't' } })).login).toBe('me@example.com');
  });

  it('error 3 → LOGIN_FAILED with badCredentials', async () => {
    const err = await login({ json: { error: { code: 3, message: 'Wrong password' } } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'LOGIN_FAILED',
      details: { cloudCode: 3, cloudMessage: 'Wrong password', badCredentials: true },
    });
  });

  it('another error → LOGIN_FAILED without badCredentials', async () => {
    const err = await login({ json: { error: { code: 2, message: 'Slow down' } } }).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({
      code: 'LOGIN_FAILED',
      details: { cloudCode: 2, badCredentials: false },
    });
  });

  it('no token → CLOUD_BAD_ANSWER', async () => {
    await expect(login({ json: {} })).rejects.toMatchObject({ code: 'CLOUD_BAD_ANSWER' });
    await cloud?.close();
    cloud = null;
    client?.close();
    await expect(login({ text: '[]' })).rejects.toMatchObject({ code: 'CLOUD_BAD_ANSWER' });
  });

  it('an invalid request never leaves (and the message holds no digest)', async () => {
    const err = (await login({ json: { user_token: 't' } }, '   ').catch(
      (e: unknown) => e,
    )) as Error;
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(err.message).not.toContain(digest);
    expect(cloud?.requests).toHaveLength(0);
  });
});
