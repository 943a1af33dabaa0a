/**
 * The account login (protocol doc §1.5): email + SHA-256 digest of the password →
 * user_token. The token is returned, never stored or logged here; the service decides.
 */
import { PrintosError } from '../core/errors.js';
import { USER_LOGIN_ERROR, userLoginRequestSchema } from '../streamer-api/index.js';
import type { CloudClient } from './cloud-client.js';
import type { HostIdentity } from './types.js';

export interface LoginRequest {
  email: string;
  /** `passwordDigest(password)` from streamer-api: the protocol never carries the password. */
  passwordDigest: string;
  identity: HostIdentity;
  /** The original's optional branch secret (§1.3); printos builds have none. */
  branchToken?: string;
}

export interface UserSession {
  userToken: string;
  /** The login name the cloud shows (falls back to the email typed). */
  login: string;
}

export async function loginUser(
  client: CloudClient,
  request: LoginRequest,
  options: { signal?: AbortSignal } = {},
): Promise<UserSession> {
  const body = buildUserLogin(request);
  const answer = await client.post('userLogin', body, options);
  if (answer.error) {
    const { code, message } = answer.error;
    const badCredentials = code === USER_LOGIN_ERROR.BAD_CREDENTIALS;
    throw new PrintosError(
      'LOGIN_FAILED',
      badCredentials
        ? `The cloud refused the email or password: ${message}`
        : `The cloud refused the login (code ${code}): ${message}`,
      { cloudCode: code, cloudMessage: message, badCredentials },
    );
  }
  if (!answer.user_token) {
    throw new PrintosError(
      'CLOUD_BAD_ANSWER',
      'The cloud accepted the login but sent no user token.',
    );
  }
  return { userToken: answer.user_token, login: answer.user_login || request.email };
}

/** The user_login body, validated by the shared schema before it leaves. */
export function buildUserLogin(request: LoginRequest) {
  const { identity } = request;
  const parsed = userLoginRequestSchema.safeParse({
    login: {
      user: request.email.trim(),
      password: request.passwordDigest,
      disposable_token: null,
    },
    platform: identity.platform,
    host_mac: identity.host_mac,
    local_ip: identity.local_ip,
    version: identity.version,
    ...(request.branchToken ? { branch_token: request.branchToken } : {}),
    profiles_sha256: '',
  });
  if (!parsed.success) {
    // The issue names the field only; the value may be the password digest.
    const first = parsed.error.issues[0];
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `Cannot log in: ${first?.path.join('.') || 'the request'} is invalid (${first?.message}).`,
    );
  }
  return parsed.data;
}
