/**
 * Turns a line of a G-code file into the command the sender frames, or null
 * when nothing is left to send. Runs once per line of files that can be a
 * gigabyte long, so it scans with indexOf and char codes instead of regexes
 * and only slices when there is something to cut.
 */

export interface StripOptions {
  /**
   * Also remove `(…)` comments (RepRap style). Off by default because Marlin
   * takes parentheses literally, e.g. in `M117 Layer (1/20)` display text.
   */
  parenComments: boolean;
}

const CODE_0 = 48;
const CODE_9 = 57;
const CODE_N = 78;
const CODE_n = 110;
const CODE_SEMICOLON = 59;
const CODE_AT = 64;

const HOST_COMMANDS: readonly string[] = ['pause'];

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

/** Drops every `(…)` span; an unclosed `(` comments out the rest of the line. */
function removeParenComments(text: string): string {
  let result = '';
  let from = 0;
  let open = text.indexOf('(');
  while (open !== -1) {
    result += text.slice(from, open);
    const close = text.indexOf(')', open + 1);
    if (close === -1) return result;
    from = close + 1;
    open = text.indexOf('(', from);
  }
  return result + text.slice(from);
}

/**
 * Removes an `N123` prefix: the sender numbers lines itself, and a second
 * number would make the firmware reject the line.
 */
function dropLineNumber(text: string): string {
  const first = text.charCodeAt(0);
  if ((first !== CODE_N && first !== CODE_n) || !isDigit(text.charCodeAt(1))) return text;
  let end = 2;
  while (end < text.length && isDigit(text.charCodeAt(end))) end++;
  return text.slice(end).trimStart();
}

/** Removes a `*cs` suffix left from a previously framed line; the sender recomputes it. */
function dropChecksum(text: string): string {
  const star = text.lastIndexOf('*');
  if (star === -1 || star === text.length - 1) return text;
  for (let i = star + 1; i < text.length; i++) {
    if (!isDigit(text.charCodeAt(i))) return text;
  }
  return text.slice(0, star).trimEnd();
}

/**
 * The command in `raw` without comments, surrounding whitespace (including
 * `\r`), line number or checksum; null when nothing remains. Case and inner
 * spacing are kept: firmwares differ in how they treat them (M117 text).
 * Host commands such as `;@pause` are comments here; see `hostCommand`.
 */
export function stripLine(raw: string, options?: StripOptions): string | null {
  let text = raw;
  const semicolon = text.indexOf(';');
  if (semicolon !== -1) text = text.slice(0, semicolon);
  if (options?.parenComments === true && text.indexOf('(') !== -1) {
    text = removeParenComments(text);
  }
  text = text.trim();
  if (text.length === 0) return null;
  text = dropChecksum(dropLineNumber(text));
  return text.length === 0 ? null : text;
}

/**
 * The printcore-style host command in `raw` (`;@pause` → `pause`), or null.
 * These lines are comments to the firmware but instructions to the host, so
 * the file reader asks this before discarding a line that strips to null.
 * Only known words are returned so a typo never triggers host behaviour.
 */
export function hostCommand(raw: string): string | null {
  let start = 0;
  while (start < raw.length && (raw.charCodeAt(start) === 32 || raw.charCodeAt(start) === 9)) {
    start++;
  }
  if (raw.charCodeAt(start) !== CODE_SEMICOLON || raw.charCodeAt(start + 1) !== CODE_AT) {
    return null;
  }
  let end = start + 2;
  while (end < raw.length && raw.charCodeAt(end) > 32) end++;
  const word = raw.slice(start + 2, end).toLowerCase();
  return HOST_COMMANDS.includes(word) ? word : null;
}
