/**
 * Masking of secrets before anything reaches a log: tokens, password digests and the
 * query of signed links. Pure; returns a copy and never touches the original.
 */

const SECRET_KEYS = new Set([
  'user_token',
  'printer_token',
  'auth_token',
  'branch_token',
  'disposable_token',
  'password',
  'token',
]);

const MASK = '***';

/** A copy of `value` with secret fields replaced and URL queries cut off. */
export function maskSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return MASK;
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] =
      SECRET_KEYS.has(key) && item !== null && item !== undefined
        ? MASK
        : maskSecrets(item, depth + 1);
  }
  return copy;
}

/** A string that is an http(s) URL loses its path and query (signed links carry secrets there). */
function maskUrl(text: string): string {
  if (!/^https?:\/\//i.test(text)) return text;
  try {
    return `${new URL(text).origin}/${MASK}`;
  } catch {
    return MASK;
  }
}
