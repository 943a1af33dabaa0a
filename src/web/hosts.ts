/**
 * This machine's names and addresses: the Host names the external listener answers to,
 * and the subject alternative names of the generated certificate. Addresses change
 * (DHCP), so the set is read again when it is older than a few seconds.
 */
import { hostname, networkInterfaces } from 'node:os';
import { LOOPBACK_HOST_NAMES } from './gate.js';

export interface DeviceNames {
  /** DNS names: the host name and its mDNS (.local) name. */
  dns: string[];
  /** Every interface address, IPv4 dotted and IPv6 plain (no brackets, no zone). */
  addresses: string[];
}

export function readDeviceNames(): DeviceNames {
  const name = hostname().toLowerCase();
  const dns = name.includes('.') ? [name] : [name, `${name}.local`];
  const addresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((info) => info.address.replace(/%.*$/, '').toLowerCase());
  return { dns: [...new Set(dns)], addresses: [...new Set(addresses)] };
}

/** As names appear in a Host header: IPv6 addresses in brackets. */
export function hostHeaderNames(device: DeviceNames, extra: readonly string[]): Set<string> {
  const addresses = device.addresses.map((a) => (a.includes(':') ? `[${a}]` : a));
  return new Set([...LOOPBACK_HOST_NAMES, ...device.dns, ...addresses, ...extra]);
}

/** The external listener's allowed Host names, re-read at most every `ttlMs`. */
export class ExternalHostNames {
  readonly #extra: readonly string[];
  readonly #read: () => DeviceNames;
  readonly #ttlMs: number;
  #cached: { at: number; names: Set<string> } | undefined;

  constructor(extra: readonly string[], read = readDeviceNames, ttlMs = 10_000) {
    this.#extra = extra;
    this.#read = read;
    this.#ttlMs = ttlMs;
  }

  names(now = Date.now()): ReadonlySet<string> {
    if (!this.#cached || now - this.#cached.at > this.#ttlMs) {
      this.#cached = { at: now, names: hostHeaderNames(this.#read(), this.#extra) };
    }
    return this.#cached.names;
  }
}
