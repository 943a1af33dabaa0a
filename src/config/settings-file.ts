/**
 * Settings on disk, and reading and changing them by dotted key (`printos config`).
 * The file holds only what differs from the defaults, so a user who never changed a
 * value gets a better default when a later printos brings one.
 */
import { PrintosError } from '../core/errors.js';
import { readJsonFile, writeFileAtomic } from '../core/files.js';
import {
  DEFAULT_SETTINGS,
  parseSettings,
  SETTING_FIELDS,
  SETTINGS_VERSION,
  type SettingField,
  type Settings,
  valueAtPath,
} from './settings.js';

/** The settings in `path`: defaults when the file is missing, CONFIG_INVALID listing every problem. */
export async function loadSettings(path: string): Promise<Settings> {
  const content = await readJsonFile(path);
  if (content === undefined) return structuredClone(DEFAULT_SETTINGS) as Settings;
  return parseSettings(content, `settings in ${path}`);
}

/** Validates and writes the settings atomically, keeping only the values that differ from the defaults. */
export async function saveSettings(path: string, settings: Settings): Promise<void> {
  const valid = parseSettings(settings);
  const sparse = { version: SETTINGS_VERSION, ...withoutDefaults(valid, DEFAULT_SETTINGS) };
  await writeFileAtomic(path, `${JSON.stringify(sparse, null, 2)}\n`, { mode: 0o600 });
}

function withoutDefaults(value: object, defaults: object): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, own] of Object.entries(value)) {
    if (key === 'version') continue;
    const fallback = (defaults as Record<string, unknown>)[key];
    if (isPlainObject(own) && isPlainObject(fallback)) {
      const inner = withoutDefaults(own, fallback);
      if (Object.keys(inner).length > 0) kept[key] = inner;
    } else if (JSON.stringify(own) !== JSON.stringify(fallback)) {
      kept[key] = own;
    }
  }
  return kept;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The field named by a dotted key; an unknown key is a CONFIG_INVALID listing the valid ones. */
export function settingField(key: string): SettingField {
  const field = SETTING_FIELDS.find((candidate) => candidate.key === key);
  if (field) return field;
  throw new PrintosError(
    'CONFIG_INVALID',
    `Unknown setting "${key}"; the settings are: ${SETTING_FIELDS.map((f) => f.key).join(', ')}`,
    { key, validKeys: SETTING_FIELDS.map((f) => f.key) },
  );
}

export function getSetting(settings: Settings, key: string): unknown {
  return valueAtPath(settings, settingField(key).key.split('.'));
}

/**
 * The settings with `key` set from a command-line string, parsed by the field's type
 * (booleans true/false/on/off/yes/no, numbers, null, JSON for lists and objects,
 * strings as they are), and the whole result validated again.
 */
export function setSetting(settings: Settings, key: string, rawValue: string): Settings {
  const field = settingField(key);
  const candidates = interpret(rawValue, field);
  if (candidates.length === 0) {
    throw new PrintosError(
      'CONFIG_INVALID',
      `${key}: expected ${expectedText(field)}, got "${rawValue}"`,
      { key, problems: [`${key}: expected ${expectedText(field)}`] },
    );
  }
  // A field of several types (string or null) takes the first reading that validates.
  let firstError: unknown;
  for (const value of candidates) {
    try {
      return parseSettings(withValue(settings, field.key.split('.'), value), `value for ${key}`);
    } catch (err) {
      firstError ??= err;
    }
  }
  throw firstError;
}

const TRUE_WORDS = new Set(['true', 'on', 'yes']);
const FALSE_WORDS = new Set(['false', 'off', 'no']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/** The values `raw` can mean for this field, most specific first. */
function interpret(raw: string, field: SettingField): unknown[] {
  const types = new Set(field.types);
  const word = raw.trim().toLowerCase();
  const values: unknown[] = [];
  if (types.has('null') && word === 'null') values.push(null);
  if (types.has('boolean') && TRUE_WORDS.has(word)) values.push(true);
  if (types.has('boolean') && FALSE_WORDS.has(word)) values.push(false);
  if ((types.has('number') || types.has('integer')) && NUMBER.test(word)) values.push(Number(word));
  if (types.has('array') || types.has('object')) {
    const parsed = parseJson(raw);
    if (parsed !== undefined) values.push(parsed);
  }
  if (types.has('string')) values.push(raw);
  return values;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

function expectedText(field: SettingField): string {
  const names: Record<string, string> = {
    boolean: 'true/false (or on/off, yes/no)',
    number: 'a number',
    integer: 'a whole number',
    null: 'null',
    array: 'a JSON list',
    object: 'a JSON object',
    string: 'text',
  };
  return field.types.map((type) => names[type] ?? type).join(' or ');
}

function withValue(settings: Settings, path: string[], value: unknown): unknown {
  const copy = structuredClone(settings) as unknown as Record<string, unknown>;
  let node = copy;
  for (const segment of path.slice(0, -1)) {
    const next = node[segment];
    node[segment] = isPlainObject(next) ? next : {};
    node = node[segment] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
  return copy;
}

/** A setting's value as `config get` prints it: text as it is, anything else as JSON. */
export function formatSettingValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
