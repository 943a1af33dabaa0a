/**
 * Classifies one line of firmware output. Written against what Marlin,
 * Prusa-Firmware, RepRapFirmware, Smoothieware, Repetier and Klipper's
 * serial pseudo-terminal actually print; anything unrecognised becomes
 * `unknown` rather than an exception, because the reader loop must survive
 * whatever noise arrives on the port.
 */
import type { ErrorClass, FirmwareMessage, HeaterReading } from './messages.js';

const NUMBER = String.raw`-?\d+(?:\.\d+)?`;

/**
 * `T:`, `T0:`, `B:`, … with an optional `/target`. Marlin also prints
 * L (cooler), M (board), S (SoC), R (redundant); some forks H0…. `@:`,
 * `B@:`, `@0:` (power), `E:` (active extruder in M109 wait lines) and
 * `W:` (remaining wait) never match, nor does Marlin's raw ADC `(0.0)`.
 * Global regexes here are only used through matchAll, which copies them, so
 * no lastIndex state is shared between calls.
 */
const TEMPERATURE = new RegExp(
  String.raw`(?:^|\s)(T\d*|B|C|P|A|L|M|S|R|H\d+)\s*:\s*(${NUMBER})(?:\s*\/\s*(${NUMBER}))?`,
  'g',
);
const TEMPERATURE_START = /^(?:T\d*|B|C)\s*:\s*-?\d/;
const ACTIVE_EXTRUDER = /(?:^|\s)E:(\d+)(?:\s|$)/;
const RESEND = /^(?:resend|rs)\s*:?\s*(?:N\s*:?\s*)?(\d+)/i;
const BUSY = /^(?:echo:\s*)?busy:\s*(.*)$/i;
const ACTION = /^\/\/\s*action:(\S*)\s*(.*)$/i;
const CAPABILITY = /^Cap:([^:]+):\s*(\d+)/i;
/** A single separator char keeps the scan linear; leftover commas are trimmed from values. */
const FIRMWARE_KEY = /(?:^|[\s,])([A-Z][A-Z0-9_-]*):/g;
const LAST_LINE = /last line:\s*(\d+)/i;
const EXPECTED_LINE = /expected line:?\s*(\d+)/i;
const LEGACY_HEATER_ERROR = /^-?\d+$/;
const POSITION_START = /^(?:C:\s*)?X:\s*-?\d/;
const ADVANCED_OK = /^([NPB]?)(\d+)$/;

const LINE_NUMBER_ERRORS = [
  'line number is not last line number',
  'no line number with checksum',
  'expected line',
  'missing linenumber',
];
const CHECKSUM_ERRORS = [
  'checksum mismatch',
  'no checksum with line number',
  'wrong checksum',
  'format error',
];
const THERMAL_ERRORS = [
  'thermal runaway',
  'thermal malfunction',
  'maxtemp',
  'mintemp',
  'heating failed',
  'decoupled',
  'temperature sensor',
];
const KILL_ERRORS = ['kill() called', 'printer halted', 'printer stopped'];
const UNKNOWN_COMMAND_ERRORS = [
  'unknown command',
  'unknown g-code',
  'unknown m-code',
  'unsupported command',
];
const SD_ERRORS = [
  'open failed',
  'volume.init',
  'openroot',
  'workdir',
  'error writing to file',
  'cannot open',
  'cannot enter',
  'sd init fail',
];

function containsAny(lowerText: string, needles: readonly string[]): boolean {
  return needles.some((needle) => lowerText.includes(needle));
}

function startsWithIgnoreCase(text: string, prefix: string): boolean {
  return text.length >= prefix.length && text.slice(0, prefix.length).toLowerCase() === prefix;
}

/**
 * Order matters: "No Line Number with checksum" names a checksum, and
 * "Thermal Runaway, system stopped!" is thermal before it is a halt.
 */
export function classifyError(message: string): ErrorClass {
  const lower = message.toLowerCase();
  if (containsAny(lower, LINE_NUMBER_ERRORS)) return 'line-number';
  if (containsAny(lower, CHECKSUM_ERRORS)) return 'checksum';
  // Legacy firmware prints `Error:0` (the heater index) before the MAXTEMP/MINTEMP text.
  if (containsAny(lower, THERMAL_ERRORS) || LEGACY_HEATER_ERROR.test(lower)) return 'thermal';
  if (containsAny(lower, KILL_ERRORS)) return 'kill';
  if (containsAny(lower, UNKNOWN_COMMAND_ERRORS)) return 'unknown-command';
  if (containsAny(lower, SD_ERRORS)) return 'sd';
  return 'other';
}

/** The last good line the firmware names, so the sender can check its resend bookkeeping. */
function lastGoodLine(message: string): number | undefined {
  const last = LAST_LINE.exec(message);
  if (last?.[1] !== undefined) return Number(last[1]);
  // Repetier: "expected line 6 got 8" — 6 is the next line it wants.
  const expected = EXPECTED_LINE.exec(message);
  if (expected?.[1] !== undefined) return Number(expected[1]) - 1;
  return undefined;
}

function errorMessage(errorClass: ErrorClass, message: string): FirmwareMessage {
  const line = lastGoodLine(message);
  return line === undefined
    ? { kind: 'error', errorClass, message }
    : { kind: 'error', errorClass, message, line };
}

/**
 * Every heater reading in `text`. A plain `T` duplicates the active tool when
 * numbered tools are listed too, so it is dropped then; alone it is the tool
 * named by `E:` in M109 wait lines, else tool 0. The first reading of an id wins
 * (some Marlin builds list the active tool twice).
 */
export function parseTemperatures(text: string): HeaterReading[] {
  const byId = new Map<string, HeaterReading>();
  let plain: HeaterReading | undefined;
  let numberedTools = false;
  for (const match of text.matchAll(TEMPERATURE)) {
    const [, id = '', current = '', target] = match;
    const reading: HeaterReading = { id, current: Number(current) };
    if (target !== undefined) reading.target = Number(target);
    if (id === 'T') {
      plain ??= reading;
      continue;
    }
    if (id.startsWith('T')) numberedTools = true;
    if (!byId.has(id)) byId.set(id, reading);
  }
  if (plain !== undefined && !numberedTools) {
    const tool = `T${ACTIVE_EXTRUDER.exec(text)?.[1] ?? '0'}`;
    return [{ ...plain, id: tool }, ...byId.values()];
  }
  return [...byId.values()];
}

/**
 * `ok`, Marlin ADVANCED_OK `ok N12 P15 B3`, Repetier `ok 12`, `ok T:…` (M105).
 * Numbers are only read as counters when no `key:value` report follows, so
 * a spaced-out temperature (`T: 210 / 210`) is never taken for a line number.
 */
function parseOk(rest: string): FirmwareMessage {
  const message: Extract<FirmwareMessage, { kind: 'ok' }> = { kind: 'ok' };
  if (rest.includes(':')) {
    const temperatures = parseTemperatures(rest);
    if (temperatures.length > 0) message.temperatures = temperatures;
    return message;
  }
  for (const token of rest.split(/\s+/)) {
    const match = ADVANCED_OK.exec(token);
    if (match === null) continue;
    const value = Number(match[2]);
    if (match[1] === 'P') message.plannerFree = value;
    else if (match[1] === 'B') message.bufferFree = value;
    else message.line = value;
  }
  return message;
}

function isOk(lower: string): boolean {
  if (!lower.startsWith('ok')) return false;
  if (lower.length === 2) return true;
  const next = lower.charCodeAt(2);
  return next === 32 || next === 9 || next === 58;
}

/** `echo:` (Marlin, Prusa) and `//` (Klipper) carry information, plus a few errors in disguise. */
function parseInformation(message: string): FirmwareMessage {
  const lower = message.toLowerCase();
  if (containsAny(lower, UNKNOWN_COMMAND_ERRORS)) return errorMessage('unknown-command', message);
  if (containsAny(lower, SD_ERRORS)) return errorMessage('sd', message);
  return { kind: 'echo', message };
}

/** M115: `FIRMWARE_NAME:… KEY:value …`; values may contain spaces, keys are upper case. */
function parseFirmwareInfo(line: string): FirmwareMessage {
  // Malyan writes `NAME. Malyan VER: …`; OctoPrint applies the same repair.
  const text = line.startsWith('NAME.') ? `NAME:${line.slice(5)}` : line;
  const keys = [...text.matchAll(FIRMWARE_KEY)];
  const fields: Record<string, string> = {};
  keys.forEach((match, i) => {
    const key = match[1] ?? '';
    const valueStart = match.index + match[0].length;
    const valueEnd = keys[i + 1]?.index ?? text.length;
    fields[key] = text.slice(valueStart, valueEnd).trim().replace(/,$/, '');
  });
  const name = fields.FIRMWARE_NAME ?? fields.NAME ?? '';
  return { kind: 'firmware-info', name, fields };
}

function axis(text: string, letter: string): number | undefined {
  const match = new RegExp(String.raw`(?:^|\s)${letter}:\s*(${NUMBER})`).exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** M114: the logical position comes before ` Count`, which starts the stepper counts. */
function parsePosition(line: string): FirmwareMessage {
  const countAt = line.indexOf(' Count');
  const logical = (countAt === -1 ? line : line.slice(0, countAt)).replace(/^C:\s*/, '');
  const x = axis(logical, 'X');
  const y = axis(logical, 'Y');
  const z = axis(logical, 'Z');
  const e = axis(logical, 'E');
  if (x === undefined || y === undefined || z === undefined || e === undefined) {
    return { kind: 'unknown', text: line };
  }
  return { kind: 'position', x, y, z, e };
}

function parsePrefixed(text: string, lower: string): FirmwareMessage | null {
  if (isOk(lower)) return parseOk(text.slice(2));
  if (lower === 'wait') return { kind: 'wait' };
  if (lower === 'start') return { kind: 'start' };
  const resend = RESEND.exec(text);
  if (resend?.[1] !== undefined) return { kind: 'resend', line: Number(resend[1]) };
  const busy = BUSY.exec(text);
  if (busy !== null) return { kind: 'busy', reason: (busy[1] ?? '').trim() };
  if (text.startsWith('//')) {
    const action = ACTION.exec(text);
    if (action?.[1]) {
      return { kind: 'action', action: action[1].toLowerCase(), argument: action[2] ?? '' };
    }
    return parseInformation(text.slice(2).trim());
  }
  if (text.startsWith('!!')) return errorMessage('kill', text.slice(2).trim());
  if (startsWithIgnoreCase(text, 'fatal:')) return errorMessage('kill', text.slice(6).trim());
  if (startsWithIgnoreCase(text, 'error:')) {
    const message = text.slice(6).trim();
    return errorMessage(classifyError(message), message);
  }
  if (startsWithIgnoreCase(text, 'echo:')) return parseInformation(text.slice(5).trim());
  return null;
}

function parseReport(text: string): FirmwareMessage | null {
  const capability = CAPABILITY.exec(text);
  if (capability?.[1] !== undefined) {
    return { kind: 'capability', name: capability[1].trim(), enabled: capability[2] === '1' };
  }
  if (text.startsWith('FIRMWARE_NAME') || text.startsWith('NAME.')) {
    return parseFirmwareInfo(text);
  }
  if (TEMPERATURE_START.test(text)) {
    const temperatures = parseTemperatures(text);
    if (temperatures.length > 0) return { kind: 'temperature', temperatures };
  }
  if (POSITION_START.test(text)) return parsePosition(text);
  return null;
}

/** What one line of firmware output means. Never throws. */
export function parseResponse(line: string): FirmwareMessage {
  const text = line.trim();
  try {
    return (
      parsePrefixed(text, text.toLowerCase()) ?? parseReport(text) ?? { kind: 'unknown', text }
    );
  } catch {
    // A parser bug must not take the serial reader down with it; the line is still reported.
    return { kind: 'unknown', text };
  }
}
