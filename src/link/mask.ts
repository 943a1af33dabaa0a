/**
 * Masking of secrets before anything reaches a log or leaves the machine: tokens,
 * passwords and their digests, cookies and session ids, CSRF tokens, bearer headers and
 * signed links. A secret can hide under an odd key or inside free text, so there are
 * three fences:
 * 1. by key name, in structured values (`user_token`, `password`, `cookie`, `_csrf`, …);
 * 2. by shape, in every string: URLs lose their path and query, `Bearer …`, secret-named
 *    `name=value` / `"name": "value"` pairs, long random-looking words;
 * 3. by value: the secrets the caller knows (createMasker), wherever they appear.
 * Pure; returns copies and never touches the original.
 */

export const MASK = '***';

/** Key names (lower case, letters and digits only) that always hold a secret. */
const SECRET_KEYS = new Set([
  'authorization',
  'cookie',
  'setcookie',
  'password',
  'passwd',
  'secret',
  'token',
  'sig',
  'sid',
  'session',
  'sessionid',
  'signature',
  'verifier',
  'digest',
  'apikey',
  'privatekey',
  // The web interface's session cookie (web/context.ts), `__Host-` prefixed on HTTPS.
  'printosclient',
  'hostprintosclient',
]);

/** Endings of secret key names: user_token, printer_token, passwordDigest, x-api-key, … */
const SECRET_SUFFIXES = [
  'token',
  'password',
  'passwd',
  'secret',
  'digest',
  'verifier',
  'cookie',
  'apikey',
  'sessionid',
  'signature',
];

/** Whether a key (JSON, header, form field) names a secret. */
export function isSecretKey(key: string): boolean {
  const k = key.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_KEYS.has(k) || k.includes('csrf') || SECRET_SUFFIXES.some((s) => k.endsWith(s));
}

/** A copy of `value` with secret fields replaced and every string masked as text. */
export function maskSecrets(value: unknown): unknown {
  return walk(value, maskText, 0);
}

function walk(value: unknown, text: (s: string) => string, depth: number): unknown {
  if (depth > 8) return MASK;
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.map((item) => walk(item, text, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // A flag such as hasPrinterToken: true tells support something and hides nothing.
    const hides = item !== null && item !== undefined && typeof item !== 'boolean';
    // The key passes the text masking too: a secret can be logged as a key.
    copy[text(key)] = hides && isSecretKey(key) ? MASK : walk(item, text, depth + 1);
  }
  return copy;
}

const URL_IN_TEXT = /\b(?:https?|wss?):\/\/[^\s"'<>`]+/gi;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
/**
 * `name=value`, `name: value`, `"name":"value"` (also JSON-escaped) with a secret name; a
 * bare value runs to a space or a separator (`;` ends one cookie of a Cookie header).
 */
const SECRET_PAIR = new RegExp(
  '(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]*?(?:token|password|passwd|secret|csrf|session_?id|sessid|sid|api_?key|signature|verifier|digest|authorization|cookie|printos_client|sig))' +
    String.raw`(\\?["']?\s*[:=]\s*)(?:"((?:[^"\\]|\\.)*)"|\\"(.*?)\\"|'([^']*)'|(?:(?:Bearer|Basic|Digest)\s+)?[^\s"',;&)}\]]+)`,
  'gi',
);
const LONG_WORD = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])/g;

/** Free text with URLs, auth headers, secret pairs and random-looking words masked. */
export function maskText(text: string): string {
  return text
    .replace(URL_IN_TEXT, maskUrl)
    .replace(BEARER, (_all, scheme: string) => `${scheme} ${MASK}`)
    .replace(SECRET_PAIR, maskPair)
    .replace(LONG_WORD, (word) => (looksRandom(word) ? MASK : word));
}

function maskPair(
  _all: string,
  name: string,
  separator: string,
  double: string | undefined,
  escaped: string | undefined,
  single: string | undefined,
): string {
  if (double !== undefined) return `${name}${separator}"${MASK}"`;
  if (escaped !== undefined) return `${name}${separator}\\"${MASK}\\"`;
  if (single !== undefined) return `${name}${separator}'${MASK}'`;
  return `${name}${separator}${MASK}`;
}

/**
 * Tokens, session ids and digests (hex, base64url): letters and digits, few separators.
 * Long file names have more separators; long numbers have no letters.
 */
function looksRandom(word: string): boolean {
  const separators = word.length - word.replace(/[_-]/g, '').length;
  return /\d/.test(word) && /[A-Za-z]/.test(word) && separators <= word.length / 6;
}

/** A URL keeps its origin only: signed links and reset links carry secrets in path and query. */
function maskUrl(text: string): string {
  try {
    const url = new URL(text);
    const bare = url.pathname === '/' && url.search === '' && url.hash === '';
    if (bare && url.username === '' && url.password === '') return url.origin;
    return `${url.origin}/${MASK}`;
  } catch {
    return MASK;
  }
}

/** Masks text, values and log lines, with the secrets the caller knows masked by value too. */
export interface Masker {
  /** Free text (a problem report, a non-JSON log line). */
  text(text: string): string;
  /** A structured value (settings, status), masked by key, shape and value. */
  value(value: unknown): unknown;
  /** One log line: a JSON line is masked by key and its strings as text; else as text. */
  line(line: string): string;
}

/** Known secrets shorter than this are not masked by value (they would hit ordinary words). */
const MIN_SECRET_LENGTH = 8;

export function createMasker(secrets: Iterable<string | null | undefined>): Masker {
  const known = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH) continue;
    known.add(secret);
    known.add(encodeURIComponent(secret));
  }
  // Longest first, so that a secret containing another is masked whole.
  const sorted = [...known].sort((a, b) => b.length - a.length);
  const pattern = sorted.length === 0 ? null : new RegExp(sorted.map(escapeRegExp).join('|'), 'g');
  const byValue = (text: string) => (pattern ? text.replace(pattern, MASK) : text);
  const text = (value: string) => maskText(byValue(value));
  const value = (input: unknown) => walk(input, text, 0);
  return {
    text,
    value,
    line(line) {
      if (!line.trimStart().startsWith('{')) return text(line);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        return text(line);
      }
      return JSON.stringify(value(parsed));
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
