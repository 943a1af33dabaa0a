import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMasker, isSecretKey, maskSecrets, maskText } from './mask.js';

const HEX64 = 'ab12'.repeat(16);
/** A session id / cloud token as the web and the cloud make them (base64url of 32 bytes). */
const B64 = 'Zq3xR8vN2kLp5sT7wY0aB4cD6eF1gH9jK_mQ-uV3xZ8';

describe('secret keys', () => {
  it.each([
    'user_token',
    'printer_token',
    'auth_token',
    'branch_token',
    'token',
    'password',
    'passwordDigest',
    'password_digest',
    'verifier',
    '_csrf',
    'csrfToken',
    'x-csrf-token',
    'cookie',
    'Cookie',
    'set-cookie',
    'Authorization',
    'session',
    'sessionId',
    'sid',
    'apiToken',
    'x-api-key',
    'printos_client',
    '__Host-printos_client',
    'secret',
  ])('%s is a secret', (key) => {
    expect(isSecretKey(key)).toBe(true);
  });

  it.each(['email', 'msg', 'printer', 'state', 'tokens', 'account', 'endpoint', 'url'])(
    '%s is not',
    (key) => {
      expect(isSecretKey(key)).toBe(false);
    },
  );

  it('masks them in JSON, deeply, keeping flags, nulls and the email', () => {
    const masked = maskSecrets({
      email: 'a@b.c',
      login: { password: 'p'.repeat(10), disposable_token: null },
      headers: { cookie: 'printos_client=abc', authorization: 'Bearer abc' },
      list: [{ printer_token: 'tok' }],
      hasPrinterToken: true,
      form: { _csrf: 'c' },
    });
    expect(masked).toEqual({
      email: 'a@b.c',
      login: { password: '***', disposable_token: null },
      headers: { cookie: '***', authorization: '***' },
      list: [{ printer_token: '***' }],
      hasPrinterToken: true,
      form: { _csrf: '***' },
    });
  });
});

describe('secrets in free text', () => {
  it.each([
    // URLs keep their origin only: signed links, reset links, credentials in the authority.
    ['GET https://c.example/streamerapi/download/3?sig=abc', 'GET https://c.example/***'],
    [
      'mail link http://127.0.0.1:9/reset-password?token=abc to a@b.c',
      'mail link http://127.0.0.1:9/*** to a@b.c',
    ],
    ['cloud https://user:pw@c.example', 'cloud https://c.example/***'],
    ['cloud: http://127.0.0.1:8010 (embedded)', 'cloud: http://127.0.0.1:8010 (embedded)'],
    // Query strings and form bodies without a scheme.
    ['/streamerapi/command?user_token=abc&x=1', '/streamerapi/command?user_token=***&x=1'],
    ['_csrf=abc&email=a%40b.c', '_csrf=***&email=a%40b.c'],
    // Headers.
    ['Authorization: Bearer abc.def-123', 'Authorization: ***'],
    ['authorization=Basic dXNlcjpwYXNz', 'authorization=***'],
    ['sent Bearer abcdef123 to the API', 'sent Bearer *** to the API'],
    ['Cookie: theme=dark; printos_client=abc123', 'Cookie: ***; printos_client=***'],
    ['set-cookie: __Host-printos_client=abc; Path=/', 'set-cookie: ***; Path=/'],
    // JSON and JSON-escaped JSON inside a message, Python-like quoting.
    ['body {"password":"correct horse 42","email":"a"}', 'body {"password":"***","email":"a"}'],
    ['body {\\"printer_token\\":\\"abc\\"}', 'body {\\"printer_token\\":\\"***\\"}'],
    ["{'auth_token': 'a b'}", "{'auth_token': '***'}"],
    ['passwordDigest: abc', 'passwordDigest: ***'],
    // Random-looking words: digests, tokens, session ids.
    [`digest ${HEX64} done`, 'digest *** done'],
    [`odd ${B64}`, 'odd ***'],
    [`pct_${B64}`, '***'],
  ])('%s', (text, masked) => {
    expect(maskText(text)).toBe(masked);
  });

  it.each([
    'the print finished after 3 hours',
    'file my_long_gcode_file_name_version_2_final.gcode',
    'job 1234567890123456789012345678901234567890',
    'the cloud refused the login',
    'design: 3, inside=4',
    'printers.json written',
  ])('keeps %s', (text) => {
    expect(maskText(text)).toBe(text);
  });

  it('masks every base64url token the cloud and the web make', () => {
    // 200 random ids: the shape rule must catch them whatever their letters.
    const ids = Array.from({ length: 200 }, () => randomBytes(32).toString('base64url'));
    const misses = ids.filter((id) => maskText(`id ${id}`) !== 'id ***');
    expect(misses.length).toBeLessThanOrEqual(1);
  });
});

describe('secrets by value', () => {
  const secret = 'a-known/secret+value';
  const masker = createMasker([secret, 'short', null, undefined]);

  it('masks a known secret anywhere in text, also URL-encoded', () => {
    expect(masker.text(`note ${secret} and ${encodeURIComponent(secret)}.`)).toBe(
      'note *** and ***.',
    );
  });

  it('ignores secrets too short to be told from words', () => {
    expect(masker.text('short story')).toBe('short story');
  });

  it('masks a known secret under an odd key and as a key', () => {
    expect(masker.value({ note: `x ${secret}`, [secret]: 1, n: 2 })).toEqual({
      note: 'x ***',
      '***': 1,
      n: 2,
    });
  });

  it('masks log lines: JSON lines by key, shape and value; other lines as text', () => {
    const line = JSON.stringify({
      level: 20,
      msg: `weird ${secret}`,
      user_token: 'tok',
      url: 'http://c/x?sig=1',
    });
    expect(JSON.parse(masker.line(line))).toEqual({
      level: 20,
      msg: 'weird ***',
      user_token: '***',
      url: 'http://c/***',
    });
    expect(masker.line(`plain ${secret} password=abc`)).toBe('plain *** password=***');
    expect(masker.line(`{not json ${secret}`)).toBe('{not json ***');
  });

  it('never changes the value it is given', () => {
    const input = { user_token: 'tok', nested: { msg: secret } };
    masker.value(input);
    expect(input).toEqual({ user_token: 'tok', nested: { msg: secret } });
  });
});
