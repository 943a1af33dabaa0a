/**
 * The host identity sent with user_login (protocol doc §1.3). host_mac is built as the
 * original client builds it, so that a machine keeps the cloud "host" it had there:
 * the Raspberry Pi board serial, else the MAC of the interface that reaches the cloud
 * as `0x` + lower-case hex + `L` (a relic of Python 2's hex(long)).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { isIPv6 } from 'node:net';
import { type NetworkInterfaceInfo, networkInterfaces, arch as osArch } from 'node:os';
import { z } from 'zod';
import { PrintosError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import type { HostIdentity } from '../link/types.js';

export type Platform = HostIdentity['platform'];

/** What the identity is derived from; tests inject every part. */
export interface IdentityDeps {
  /** /proc/cpuinfo's text, or undefined when there is none. */
  readCpuinfo: () => Promise<string | undefined>;
  networkInterfaces: () => NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** The source address this machine would use to reach host:port, or undefined. */
  localAddressTo: (host: string, port: number) => Promise<string | undefined>;
  platform: NodeJS.Platform;
  arch: string;
}

export function systemIdentityDeps(): IdentityDeps {
  return {
    readCpuinfo: () => readFile('/proc/cpuinfo', 'utf8').catch(() => undefined),
    networkInterfaces,
    localAddressTo,
    platform: process.platform,
    arch: osArch(),
  };
}

export interface HostIdentityOptions {
  /** The cloud's base URL: local_ip is the source address of the route to it. */
  cloudUrl: string;
  /** The source address of the cloud connection, when the caller knows it already. */
  localIp?: string;
  /** Where the random host id is kept when nothing else identifies the machine. */
  hostIdFile: string;
}

export async function hostIdentity(
  options: HostIdentityOptions,
  deps: Partial<IdentityDeps> = {},
): Promise<HostIdentity> {
  const all = { ...systemIdentityDeps(), ...deps };
  const localIp = options.localIp ?? (await localIpFor(options.cloudUrl, all));
  return {
    host_mac: await hostMac(localIp, options.hostIdFile, all),
    local_ip: localIp,
    platform: platformOf(all.platform, all.arch),
    version: clientVersion(),
  };
}

/** The source address towards the cloud; else the first external IPv4 address; else "". */
async function localIpFor(cloudUrl: string, deps: IdentityDeps): Promise<string> {
  const target = urlTarget(cloudUrl);
  const routed = target ? await deps.localAddressTo(target.host, target.port) : undefined;
  if (routed) return normalizeAddress(routed);
  for (const addresses of Object.values(deps.networkInterfaces())) {
    const info = addresses?.find((a) => !a.internal && a.family === 'IPv4');
    if (info) return info.address;
  }
  return '';
}

function urlTarget(cloudUrl: string): { host: string; port: number } | undefined {
  try {
    const url = new URL(cloudUrl);
    const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  } catch {
    return undefined;
  }
}

const ROUTE_TIMEOUT_MS = 2000;

/**
 * The local address of a UDP socket "connected" to host:port: the kernel picks the
 * route and the source address, and no packet is sent. A host name costs a DNS lookup.
 */
export function localAddressTo(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (address: string | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // Already closed by the error that brought us here.
      }
      resolve(address);
    };
    const timer = setTimeout(() => finish(undefined), ROUTE_TIMEOUT_MS);
    socket.on('error', () => finish(undefined));
    socket.connect(port, host, () => {
      try {
        finish(socket.address().address);
      } catch {
        finish(undefined);
      }
    });
  });
}

export async function hostMac(
  localIp: string | undefined,
  hostIdFile: string,
  deps: Pick<IdentityDeps, 'readCpuinfo' | 'networkInterfaces' | 'platform'>,
): Promise<string> {
  if (deps.platform === 'linux') {
    const serial = boardSerial(await deps.readCpuinfo());
    if (serial) return serial;
  }
  const interfaces = deps.networkInterfaces();
  const mac = (localIp && macOfAddress(interfaces, localIp)) || firstExternalMac(interfaces);
  return mac ? formatMac(mac) : storedHostId(hostIdFile);
}

/** The `Serial` of /proc/cpuinfo (Raspberry Pi boards), unless absent or all zeros. */
export function boardSerial(cpuinfo: string | undefined): string | undefined {
  const match = /^Serial\s*:\s*([0-9A-Za-z]{1,64})\s*$/m.exec(cpuinfo ?? '');
  const serial = match?.[1];
  return serial && !/^0+$/.test(serial) ? serial : undefined;
}

/** `b8:27:EB:12:34:56` → `0xb827eb123456L`, the original's format (leading zeros kept). */
export function formatMac(mac: string): string {
  return `0x${mac.replace(/[:-]/g, '').toLowerCase()}L`;
}

const NO_MAC = '00:00:00:00:00:00';

function macOfAddress(
  interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>,
  localIp: string,
): string | undefined {
  const wanted = normalizeAddress(localIp);
  for (const addresses of Object.values(interfaces)) {
    for (const info of addresses ?? []) {
      if (normalizeAddress(info.address) === wanted && info.mac !== NO_MAC) return info.mac;
    }
  }
  return undefined;
}

function firstExternalMac(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string | undefined {
  for (const addresses of Object.values(interfaces)) {
    const info = addresses?.find((candidate) => !candidate.internal && candidate.mac !== NO_MAC);
    if (info) return info.mac;
  }
  return undefined;
}

/** A socket's local address may come IPv4-mapped (::ffff:10.0.0.2) or with a zone (fe80::1%eth0). */
function normalizeAddress(address: string): string {
  return address
    .toLowerCase()
    .replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '')
    .replace(/%.*$/, '');
}

const HOST_ID = /^0x[0-9a-f]{12}L$/;

/**
 * The last resort: a random 48-bit id with the multicast bit set (as uuid.getnode()
 * makes one when it finds no MAC, so it can never equal a real MAC), chosen once and
 * kept in the data directory.
 */
async function storedHostId(path: string): Promise<string> {
  const stored = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (HOST_ID.test(stored)) return stored;
  const bytes = randomBytes(6);
  bytes[0] = (bytes[0] ?? 0) | 0x01;
  const id = `0x${bytes.toString('hex')}L`;
  await writeFileAtomic(path, `${id}\n`, { mode: 0o600 });
  return id;
}

/** The protocol's platform names: a Linux ARM board is taken to be a Raspberry Pi, as the original does. */
export function platformOf(platform: NodeJS.Platform, arch: string): Platform {
  if (platform === 'darwin') return 'mac';
  if (platform === 'win32') return 'win';
  return platform === 'linux' && (arch === 'arm' || arch === 'arm64') ? 'rpi' : 'linux';
}

/** The branch part of the reported version, which tells a cloud which client this is. */
export const CLIENT_BRANCH = 'printos';

/** version + branch, e.g. "0.1.0printos", from package.json (found the same way from src/ and dist/). */
export function clientVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  const result = z
    .object({ version: z.string().min(1).max(32) })
    .safeParse(parseJsonSafe(readTextSafe(url)));
  if (!result.success) {
    throw new PrintosError('INTERNAL', `Cannot read the version from ${url.pathname}`);
  }
  return `${result.data.version}${CLIENT_BRANCH}`;
}

function readTextSafe(url: URL): string {
  try {
    return readFileSync(url, 'utf8');
  } catch {
    return '';
  }
}

function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
