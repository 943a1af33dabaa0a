/**
 * What the sender needs to know about a stripped command line: its code,
 * whether the firmware will sit on it for a long time (so timeouts must
 * stretch), whether it is a move, and which heater target it sets. Runs
 * once per sent line, so the code scan avoids regexes.
 */

const CODE_0 = 48;
const CODE_9 = 57;
const CODE_DOT = 46;
const CODE_SPACE = 32;
const CODE_TAB = 9;

const CODE_LETTERS: Readonly<Record<string, string>> = { g: 'G', m: 'M', t: 'T' };

/** Commands the firmware acknowledges only when done: homing, probing, heating, dwelling, pausing. */
const LONG_COMMANDS: ReadonlySet<string> = new Set([
  'G4',
  'G28',
  'G29',
  'G30',
  'G32',
  'G33',
  'G34',
  'M0',
  'M1',
  'M109',
  'M190',
  'M191',
  'M226',
  'M303',
  'M400',
  'M600',
]);

const MOTION_COMMANDS: ReadonlySet<string> = new Set(['G0', 'G1', 'G2', 'G3', 'G5']);

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

interface CodeSpan {
  code: string;
  /** Index just past the code, where the parameters start. */
  end: number;
}

function scanCode(cmd: string): CodeSpan | null {
  let at = 0;
  while (cmd.charCodeAt(at) === CODE_SPACE || cmd.charCodeAt(at) === CODE_TAB) at++;
  const letter = CODE_LETTERS[cmd.charAt(at).toLowerCase()];
  if (letter === undefined) return null;
  const numberStart = at + 1;
  let end = numberStart;
  while (isDigit(cmd.charCodeAt(end))) end++;
  if (end === numberStart) return null;
  // `G01` and `G1` are the same command; the sender compares codes as strings.
  let first = numberStart;
  while (first < end - 1 && cmd.charCodeAt(first) === CODE_0) first++;
  let code = letter + cmd.slice(first, end);
  if (cmd.charCodeAt(end) === CODE_DOT && isDigit(cmd.charCodeAt(end + 1))) {
    const subStart = end;
    end += 1;
    while (isDigit(cmd.charCodeAt(end))) end++;
    code += cmd.slice(subStart, end);
  }
  return { code, end };
}

/** `G1`, `M104`, `T0`, `G29.1`: upper case, leading zeros dropped; `''` when there is none. */
export function commandCode(cmd: string): string {
  return scanCode(cmd)?.code ?? '';
}

/** True for commands that may keep the firmware from answering for minutes. */
export function isLongCommand(code: string): boolean {
  return LONG_COMMANDS.has(code);
}

/** True for moves, which the firmware queues in its planner. */
export function isMotionCommand(code: string): boolean {
  return MOTION_COMMANDS.has(code);
}

function isValueChar(code: number): boolean {
  return isDigit(code) || code === CODE_DOT || code === 45 || code === 43;
}

/**
 * The number after parameter `letter` (upper case) in `cmd` from `from` on.
 * Parameters may be packed without spaces (`M104S200T1`), so a parameter
 * starts at any letter not preceded by another letter.
 */
function numericParameter(cmd: string, from: number, letter: string): number | undefined {
  for (let at = from; at < cmd.length; at++) {
    if (cmd.charAt(at).toUpperCase() !== letter) continue;
    const before = cmd.charAt(at - 1);
    if (before.toUpperCase() !== before.toLowerCase()) continue;
    let end = at + 1;
    while (end < cmd.length && isValueChar(cmd.charCodeAt(end))) end++;
    if (end === at + 1) return undefined;
    const value = Number(cmd.slice(at + 1, end));
    return Number.isFinite(value) ? value : undefined;
  }
  return undefined;
}

const TOOL_HEATER_CODES: ReadonlySet<string> = new Set(['M104', 'M109']);
const FIXED_HEATER_IDS: Readonly<Record<string, string>> = {
  M140: 'B',
  M190: 'B',
  M141: 'C',
  M191: 'C',
};
/** Marlin's wait commands also take `R<temp>` (wait while cooling too) as the target. */
const WAIT_CODES: ReadonlySet<string> = new Set(['M109', 'M190', 'M191']);

function toolHeaterId(cmd: string, from: number, activeTool: number): string | null {
  const tool = numericParameter(cmd, from, 'T');
  if (tool === undefined) return `T${activeTool}`;
  return Number.isInteger(tool) && tool >= 0 ? `T${tool}` : null;
}

/**
 * The heater target a command sets (M104/M109 for tools, M140/M190 bed,
 * M141/M191 chamber), or null. Without `T`, M104/M109 act on the active
 * tool, which the caller passes when it tracks tool changes.
 */
export function heaterTargetFrom(
  cmd: string,
  activeTool = 0,
): { id: string; target: number } | null {
  const span = scanCode(cmd);
  if (span === null) return null;
  const isTool = TOOL_HEATER_CODES.has(span.code);
  const fixedId = FIXED_HEATER_IDS[span.code];
  if (!isTool && fixedId === undefined) return null;
  let target = numericParameter(cmd, span.end, 'S');
  if (target === undefined && WAIT_CODES.has(span.code)) {
    target = numericParameter(cmd, span.end, 'R');
  }
  if (target === undefined) return null;
  const id = isTool ? toolHeaterId(cmd, span.end, activeTool) : (fixedId ?? null);
  return id === null ? null : { id, target };
}
