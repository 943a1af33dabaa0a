import { describe, expect, it } from 'vitest';
import { PrintosError } from '../../core/errors.js';
import { hiddenFromService, isWithin, parseInstallParams, parseUninstallParams } from './params.js';

describe('parseInstallParams', () => {
  it('fills the defaults', () => {
    expect(parseInstallParams({})).toEqual({
      user: 'printos',
      prefix: '/opt/printos',
      dataDir: '/var/lib/printos',
      unitDir: '/etc/systemd/system',
      pamHelper: true,
      noStart: false,
      dryRun: false,
    });
  });

  it('treats undefined options as not given and strips trailing slashes', () => {
    const params = parseInstallParams({ user: undefined, prefix: '/srv/printos/', unitDir: '/x/' });
    expect(params).toMatchObject({ user: 'printos', prefix: '/srv/printos', unitDir: '/x' });
  });

  it.each([
    [{ user: 'root' }, /--user root/],
    [{ user: 'Printos' }, /--user/],
    [{ user: 'a b' }, /--user/],
    [{ user: '-x' }, /--user/],
    [{ prefix: 'opt/printos' }, /--prefix must be an absolute path/],
    [{ prefix: '/opt' }, /--prefix must be at least 2 levels/],
    [{ prefix: '/' }, /--prefix/],
    [{ prefix: '/opt/../etc' }, /--prefix must be a plain path/],
    [{ prefix: '/opt//printos' }, /--prefix must be a plain path/],
    [{ prefix: '/opt/my printos' }, /--prefix may hold only/],
    [{ dataDir: '/var/lib/%i' }, /--data-dir may hold only/],
    [{ dataDir: '/var/lib/"x"' }, /--data-dir may hold only/],
    [{ dataDir: '/var/lib/$HOME' }, /--data-dir may hold only/],
    [{ dataDir: '/var/lib/x\nExecStartPre=/bin/sh' }, /--data-dir may hold only/],
    [{ unitDir: 'relative' }, /--unit-dir must be an absolute path/],
    [{ bogus: true }, /./],
  ])('refuses %j', (input, message) => {
    let thrown: unknown;
    try {
      parseInstallParams(input);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PrintosError);
    expect((thrown as PrintosError).code).toBe('INVALID_ARGUMENT');
    expect((thrown as PrintosError).message).toMatch(message);
  });
});

describe('parseUninstallParams', () => {
  it('leaves user, prefix and data dir unset so the installed unit can say them', () => {
    expect(parseUninstallParams({})).toEqual({
      unitDir: '/etc/systemd/system',
      purge: false,
      dryRun: false,
    });
  });
});

describe('paths', () => {
  it.each([
    ['/opt/printos', '/opt/printos', true],
    ['/opt/printos/versions', '/opt/printos', true],
    ['/opt/printos2', '/opt/printos', false],
    ['/opt', '/opt/printos', false],
    ['/anything', '/', true],
  ])('isWithin(%s, %s) = %s', (path, dir, within) => {
    expect(isWithin(path, dir)).toBe(within);
  });

  it.each([
    ['/home/pi/printos', '/home'],
    ['/root/.nvm/versions/node/v20/bin/node', '/root'],
    ['/tmp/x', '/tmp'],
    ['/run/user/1000/x', '/run/user'],
    ['/var/tmp/x', '/var/tmp'],
    ['/homework/x', undefined],
    ['/usr/bin/node', undefined],
  ])('hiddenFromService(%s) = %s', (path, hidden) => {
    expect(hiddenFromService(path)).toBe(hidden);
  });
});
