/**
 * What "this machine only" means for a host name or address, in one place: the cloud URL
 * rule (settings, the link), the local API's and the web interface's Host allowlists.
 */
import { isIP } from 'node:net';

/** The Host names of the loopback listener (with or without the port). */
export const LOOPBACK_HOST_NAMES: readonly string[] = ['localhost', '127.0.0.1', '[::1]'];

/** True for localhost, 127.0.0.0/8, ::1 and IPv4-mapped loopback, bracketed or not. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family === 6) return host === '::1' || /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
  return false;
}
