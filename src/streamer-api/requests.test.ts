import { describe, expect, it } from 'vitest';
import { passwordDigest } from './password.js';
import {
  commandRequestSchema,
  printerLoginRequestSchema,
  printerIdSchema,
  reportSchema,
  userLoginRequestSchema,
} from './requests.js';

const userLogin = {
  login: { user: 'a@example.com', password: passwordDigest('secret'), disposable_token: null },
  platform: 'linux',
  host_mac: '0xb827eb123456L',
  local_ip: '127.0.0.1',
  version: '0.1.0printos',
  profiles_sha256: '',
};

describe('request schemas', () => {
  it('hashes passwords the way the protocol sends them', () => {
    expect(passwordDigest('password')).toBe(
      '5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8',
    );
  });

  it('accepts a user_login as the original sends it', () => {
    expect(userLoginRequestSchema.parse(userLogin)).toEqual(userLogin);
  });

  it.each([
    ['a plain-text password', { login: { ...userLogin.login, password: 'secret' } }],
    ['an unknown platform', { platform: 'linux2' }],
    ['an empty login', { login: { ...userLogin.login, user: '' } }],
  ])('refuses a user_login with %s', (_name, change) => {
    expect(userLoginRequestSchema.safeParse({ ...userLogin, ...change }).success).toBe(false);
  });

  it.each([
    [{ VID: '2341', PID: '0042', SNR: '' }, true],
    [{ VID: 'TTYS', PID: '0PTY', SNR: '3f9a2c1b00aa77e1', COM: '/dev/pts/3' }, true],
    [{ VID: '2341', PID: '42', SNR: '' }, false],
    [{ VID: 'abcd', PID: '0042', SNR: '' }, false],
    [{ VID: '2341', PID: '0042' }, false],
  ])('printer id %o valid: %s', (id, valid) => {
    expect(printerIdSchema.safeParse(id).success).toBe(valid);
  });

  it('accepts a printer_login with the fields of §1.6', () => {
    const body = {
      user_token: 't',
      printer: { VID: '2341', PID: '0042', SNR: 'A1', COM: '/dev/ttyACM0' },
      version: '0.1.0printos',
      message_time: 'Fri Nov 27 16:00:00 2026',
      camera: 'Disable camera',
      verbose: false,
      no_job_fail: true,
      profiles_version: 'v2',
    };
    expect(printerLoginRequestSchema.parse(body).printer.COM).toBe('/dev/ttyACM0');
    expect(printerLoginRequestSchema.safeParse({ ...body, profiles_version: 'v1' }).success).toBe(
      false,
    );
  });

  it('accepts a delta report of just a state, and refuses an unknown state', () => {
    expect(reportSchema.safeParse({ state: 'connecting' }).success).toBe(true);
    expect(reportSchema.safeParse({ state: 'sleeping' }).success).toBe(false);
    expect(reportSchema.safeParse({ state: 'printing', percent: 101 }).success).toBe(false);
  });

  it('accepts a full command request, reset_job in both historical forms', () => {
    const body = {
      printer_token: 'p',
      report: { state: 'printing', percent: 12.5, temps: [60, 210], target_temps: [60, 210] },
      command_ack: { number: 3, result: true },
      error: [{ code: 66, message: 'download incomplete', level: 40 }],
      reset_job: true,
    };
    expect(commandRequestSchema.safeParse(body).success).toBe(true);
    expect(commandRequestSchema.safeParse({ ...body, reset_job: 1 }).success).toBe(true);
    expect(
      commandRequestSchema.safeParse({ ...body, error: [{ code: 1, message: 'x', level: 33 }] })
        .success,
    ).toBe(false);
  });
});
