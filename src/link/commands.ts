/**
 * Validation of the command a cloud answer carries (protocol doc §1.7.3), pure. The
 * loop executes only what passes; everything else becomes an error code for the list
 * and, when the number is usable, a negative ack.
 */
import { PrintosError } from '../core/errors.js';
import { CLIENT_ERROR, type CommandAnswer } from '../streamer-api/index.js';

/** Commands this client executes; `resume` is the sender-level name of `unpause`. */
export const KNOWN_COMMANDS = [
  'gcodes',
  'pause',
  'unpause',
  'resume',
  'cancel',
  'set_name',
  'quit_application',
  'upload_logs',
] as const;
export type KnownCommand = (typeof KNOWN_COMMANDS)[number];

export type ParsedCommand =
  | { ok: true; name: KnownCommand; number: number; answer: CommandAnswer }
  | { ok: false; name: string; number: number | null; code: number; message: string };

/** Longest console payload accepted (raw or base64), in characters. */
const MAX_CONSOLE_CHARS = 1024 * 1024;
const MAX_FILENAME = 253;

/** The answer's command, validated; null when it carries none. */
export function parseCommand(answer: CommandAnswer): ParsedCommand | null {
  const name = answer.command;
  if (name === undefined || name === null || name === '') return null;
  const number = parseNumber(answer.number);
  if (number === null) {
    return refuse(name, null, CLIENT_ERROR.BAD_NUMBER, 'the command number is not an integer');
  }
  if (name.startsWith('_') || name.includes('__') || name.includes('.')) {
    return refuse(name, number, CLIENT_ERROR.INVALID_COMMAND, 'the command name is not allowed');
  }
  if (!(KNOWN_COMMANDS as readonly string[]).includes(name)) {
    return refuse(name, number, CLIENT_ERROR.UNKNOWN_COMMAND, 'this client has no such command');
  }
  return { ok: true, name: name as KnownCommand, number, answer };
}

/** An integer, or a string of one ("12", "-1"); anything else is not a command number. */
export function parseNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value);
  return null;
}

function refuse(name: string, number: number | null, code: number, why: string): ParsedCommand {
  const shown = name.replace(/[^\w.-]/g, '?').slice(0, 64);
  return { ok: false, name, number, code, message: `Command "${shown}" refused: ${why}.` };
}

/**
 * The first argument of a payload (§1.7.3: list → positional, object → keyword,
 * scalar → single positional); `key` names the keyword.
 */
export function firstArgument(payload: unknown, key: string): unknown {
  if (Array.isArray(payload)) return payload[0];
  if (payload !== null && typeof payload === 'object')
    return (payload as Record<string, unknown>)[key];
  return payload;
}

/** A non-empty string argument, or INVALID_ARGUMENT (error 113 in the list). */
export function stringArgument(payload: unknown, key: string, max: number): string {
  const value = firstArgument(payload, key);
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `The command's ${key} must be text of 1–${max} characters.`,
    );
  }
  return value.trim();
}

/** Console G-code of a `gcodes` command without link: number -1 = raw text, else base64 (§1.7.3). */
export function consoleLines(payload: unknown, number: number): string[] {
  const value = firstArgument(payload, 'gcodes');
  if (typeof value !== 'string' || value.length > MAX_CONSOLE_CHARS) {
    throw new PrintosError('INVALID_ARGUMENT', 'The console G-code must be text.');
  }
  const text = number === -1 ? value : decodeBase64(value);
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

function decodeBase64(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new PrintosError('INVALID_ARGUMENT', 'The console G-code is not valid base64.');
  }
  return Buffer.from(compact, 'base64').toString('utf8');
}

/** The original's rule (§1.9): letters, digits and `._+-` kept, the rest `_`, at most 253. */
export function sanitizeFilename(name: string | undefined, zip: boolean): string {
  const fallback = zip ? 'cloud-job.zip' : 'cloud-job.gcode';
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[^A-Za-z0-9._+-]/g, '_')
    .replace(/^\.+/, '')
    .slice(0, MAX_FILENAME);
  return clean === '' ? fallback : clean;
}
