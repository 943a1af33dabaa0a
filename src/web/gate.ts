/**
 * Who is local, and which Host names a listener answers to. "Local" is decided by the
 * TCP peer address of the socket alone, never by X-Forwarded-For, X-Real-Ip, Forwarded
 * or Host (security.md): a proxy in front of printos must not turn the LAN into loopback.
 */
import { isIPv4 } from 'node:net';
import { LOOPBACK_HOST_NAMES } from '../core/loopback.js';

/** The socket's peer address, with an IPv4-mapped IPv6 address written as IPv4. */
export function normalizePeer(address: string | undefined): string {
  if (!address) return '';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? (mapped[1] as string) : address.toLowerCase();
}

/** 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104; everything else, unknown included, is remote. */
export function isLoopbackPeer(address: string | undefined): boolean {
  const peer = normalizePeer(address);
  if (peer === '::1' || peer === '0:0:0:0:0:0:0:1') return true;
  return isIPv4(peer) && peer.startsWith('127.');
}

export { LOOPBACK_HOST_NAMES };

/** A Host header split into its name and port; undefined when it is not a plain host[:port]. */
export function parseHost(header: string | undefined): { name: string; port?: number } | undefined {
  if (!header || header.length > 300) return undefined;
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i.exec(header);
  if (!match) return undefined;
  const name = (match[1] as string).toLowerCase();
  if (match[2] === undefined) return { name };
  const port = Number(match[2]);
  return port >= 1 && port <= 65_535 ? { name, port } : undefined;
}

/**
 * Whether a Host header names this listener: one of `names`, with no port or the
 * listener's own. Anything else is refused, so a page on attacker.example whose name
 * was re-bound to this machine (DNS rebinding) gets no answer.
 */
export function hostAllowed(
  header: string | undefined,
  names: ReadonlySet<string>,
  listenerPort: number,
): boolean {
  const host = parseHost(header);
  if (!host || !names.has(host.name)) return false;
  return host.port === undefined || host.port === listenerPort;
}
