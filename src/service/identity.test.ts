import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  boardSerial,
  clientVersion,
  formatMac,
  hostIdentity,
  hostMac,
  type IdentityDeps,
  localAddressTo,
  platformOf,
} from './identity.js';

function iface(address: string, mac: string, internal = false): NetworkInterfaceInfo {
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  return { address, mac, internal, family, netmask: '', cidr: null } as NetworkInterfaceInfo;
}

const INTERFACES = {
  lo: [iface('127.0.0.1', '00:00:00:00:00:00', true), iface('::1', '00:00:00:00:00:00', true)],
  eth0: [iface('192.168.1.20', 'B8:27:EB:0A:0B:0C'), iface('fe80::1', 'b8:27:eb:0a:0b:0c')],
  wlan0: [iface('10.0.0.5', '00:1a:2b:3c:4d:5e')],
};

const RPI_CPUINFO =
  'processor\t: 0\nHardware\t: BCM2835\nRevision\t: a02082\nSerial\t\t: 00000000a1b2c3d4\nModel\t\t: Raspberry Pi 3\n';
const ZERO_CPUINFO = 'processor\t: 0\nSerial\t\t: 0000000000000000\n';

let dir: string;
let hostIdFile: string;

function deps(overrides: Partial<IdentityDeps> = {}): IdentityDeps {
  return {
    readCpuinfo: async () => 'processor\t: 0\nmodel name\t: x86\n',
    networkInterfaces: () => INTERFACES,
    localAddressTo: async () => undefined,
    platform: 'linux',
    arch: 'x64',
    ...overrides,
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-identity-'));
  hostIdFile = join(dir, 'host-id');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostMac', () => {
  it.each<[string, Partial<IdentityDeps>, string | undefined, string]>([
    [
      'the Raspberry Pi serial',
      { readCpuinfo: async () => RPI_CPUINFO },
      '192.168.1.20',
      '00000000a1b2c3d4',
    ],
    [
      'the MAC owning the local IP when the serial is zeros',
      { readCpuinfo: async () => ZERO_CPUINFO },
      '10.0.0.5',
      '0x001a2b3c4d5eL',
    ],
    ['the MAC owning the local IP (no serial)', {}, '192.168.1.20', '0xb827eb0a0b0cL'],
    ['an IPv4-mapped local IP', {}, '::ffff:10.0.0.5', '0x001a2b3c4d5eL'],
    ['an IPv6 local IP with a zone', {}, 'fe80::1%eth0', '0xb827eb0a0b0cL'],
    ['the first external MAC for a loopback local IP', {}, '127.0.0.1', '0xb827eb0a0b0cL'],
    ['the first external MAC without a local IP', {}, undefined, '0xb827eb0a0b0cL'],
    [
      'the MAC, not the serial, off Linux',
      { platform: 'darwin', readCpuinfo: async () => RPI_CPUINFO },
      '10.0.0.5',
      '0x001a2b3c4d5eL',
    ],
  ])('is %s', async (_name, overrides, localIp, expected) => {
    expect(await hostMac(localIp, hostIdFile, deps(overrides))).toBe(expected);
  });

  it('falls back to a random id kept in the data directory', async () => {
    const none = deps({ networkInterfaces: () => ({ lo: INTERFACES.lo }) });
    const first = await hostMac('127.0.0.1', hostIdFile, none);
    expect(first).toMatch(/^0x[0-9a-f]{12}L$/);
    // The multicast bit marks it as not a real MAC, as uuid.getnode() does.
    expect(Number.parseInt(first.slice(2, 4), 16) & 1).toBe(1);
    expect(await hostMac('127.0.0.1', hostIdFile, none)).toBe(first);
    expect((await readFile(hostIdFile, 'utf8')).trim()).toBe(first);
    expect((await stat(hostIdFile)).mode & 0o777).toBe(0o600);
  });

  it('replaces a damaged stored id', async () => {
    await writeFile(hostIdFile, 'garbage');
    const none = deps({ networkInterfaces: () => ({}) });
    expect(await hostMac(undefined, hostIdFile, none)).toMatch(/^0x[0-9a-f]{12}L$/);
  });
});

describe('pieces', () => {
  it.each<[string | undefined, string | undefined]>([
    [RPI_CPUINFO, '00000000a1b2c3d4'],
    [ZERO_CPUINFO, undefined],
    ['Serial : 10000000deadbeef', '10000000deadbeef'],
    ['Serial\t: \n', undefined],
    ['model name : x', undefined],
    [undefined, undefined],
  ])('boardSerial(%j) = %j', (cpuinfo, expected) => {
    expect(boardSerial(cpuinfo)).toBe(expected);
  });

  it.each([
    ['b8:27:eb:12:34:56', '0xb827eb123456L'],
    ['00:1A:2B:3C:4D:5E', '0x001a2b3c4d5eL'],
    ['00-1A-2B-3C-4D-5E', '0x001a2b3c4d5eL'],
  ])('formatMac(%s) = %s', (mac, expected) => {
    expect(formatMac(mac)).toBe(expected);
  });

  it.each<[NodeJS.Platform, string, string]>([
    ['linux', 'arm', 'rpi'],
    ['linux', 'arm64', 'rpi'],
    ['linux', 'x64', 'linux'],
    ['darwin', 'arm64', 'mac'],
    ['win32', 'x64', 'win'],
    ['freebsd', 'x64', 'linux'],
  ])('platformOf(%s, %s) = %s', (platform, arch, expected) => {
    expect(platformOf(platform, arch)).toBe(expected);
  });

  it('reports the package version with the printos branch', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(clientVersion()).toBe(`${pkg.version}printos`);
  });
});

describe('hostIdentity', () => {
  it('takes the local IP of the route to the cloud', async () => {
    const asked: Array<[string, number]> = [];
    const identity = await hostIdentity(
      { cloudUrl: 'https://cloud.example.com', hostIdFile },
      deps({
        localAddressTo: async (host, port) => {
          asked.push([host, port]);
          return '10.0.0.5';
        },
        arch: 'arm64',
      }),
    );
    expect(asked).toEqual([['cloud.example.com', 443]]);
    expect(identity).toEqual({
      host_mac: '0x001a2b3c4d5eL',
      local_ip: '10.0.0.5',
      platform: 'rpi',
      version: clientVersion(),
    });
  });

  it('uses a given local IP, and the port and IPv6 host of the URL', async () => {
    const asked: Array<[string, number]> = [];
    const lookup = async (host: string, port: number) => {
      asked.push([host, port]);
      return undefined;
    };
    const given = await hostIdentity(
      { cloudUrl: 'http://[::1]:8010', hostIdFile, localIp: '192.168.1.20' },
      deps({ localAddressTo: lookup }),
    );
    expect(given.local_ip).toBe('192.168.1.20');
    expect(asked).toEqual([]);
    const routed = await hostIdentity(
      { cloudUrl: 'http://[::1]:8010', hostIdFile },
      deps({ localAddressTo: lookup }),
    );
    expect(asked).toEqual([['::1', 8010]]);
    // No route found: the first external IPv4 address stands in.
    expect(routed.local_ip).toBe('192.168.1.20');
  });

  it('finds the route to a loopback cloud without sending anything', async () => {
    expect(await localAddressTo('127.0.0.1', 8010)).toBe('127.0.0.1');
  });
});
