/**
 * Time for the link's loops: an injectable clock (tests pass a fake one), the
 * jittered back-off, and the ctime() text printer_login carries.
 */

export interface LinkClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** In [0, 1), for jitter. */
  random(): number;
}

export const SYSTEM_CLOCK: LinkClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

const DEFAULT_MAX_BACKOFF_MS = 30_000;

/**
 * The delay after `failures` consecutive failures: the period doubled each time up to
 * the ceiling, ±20 % so that many clients do not hammer a cloud that comes back.
 */
export function backoffDelay(
  failures: number,
  periodMs: number,
  maxMs = DEFAULT_MAX_BACKOFF_MS,
  random = 0.5,
): number {
  const exponent = Math.min(Math.max(0, failures - 1), 20);
  const base = Math.min(maxMs, periodMs * 2 ** exponent);
  return Math.round(base * (0.8 + 0.4 * random));
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's time.ctime() in local time: "Mon Apr  7 10:00:00 2025" (§1.6 message_time). */
export function ctime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  const day = String(date.getDate()).padStart(2, ' ');
  return `${DAYS[date.getDay()]} ${MONTHS[date.getMonth()]} ${day} ${clock} ${date.getFullYear()}`;
}
