/**
 * Which URLs the link may talk to: https anywhere (verified), plain http only to this
 * machine — a cloud token or a job sent in clear text over a network is a leak.
 */
import { isLoopbackHost } from '../core/loopback.js';

export { isLoopbackHost };

/** Why `url` may not be used, or null when it may. */
export function urlRefusal(url: URL): string | null {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `${url.protocol} is not supported; use https`;
  }
  if (url.username !== '' || url.password !== '') return 'credentials in the URL are not allowed';
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost); use https';
  }
  return null;
}

/** The part of a URL that is safe to log: a signed link's path and query are secrets. */
export function safeOrigin(url: string | URL): string {
  try {
    return (typeof url === 'string' ? new URL(url) : url).origin;
  } catch {
    return '(invalid URL)';
  }
}
