import { commandCode } from '../gcode/commands.js';

/**
 * A G-code command split as Marlin's parser does: the command code (`G1`,
 * `M105`; lower case and leading zeros accepted), then letter/value parameters
 * with or without spaces between them (`G1X10Y-2.5`).
 */
export interface GcodeCommand {
  /** `G1`, `M105`, `T0` (sub-codes dropped: Marlin dispatches on the number); '' if none. */
  name: string;
  /** Parameters; `null` for a letter given without a value (`G28 X`). */
  params: ReadonlyMap<string, number | null>;
  /** Everything after the command code, for commands that take text (M117, M118). */
  rest: string;
}

const CODE_PREFIX = /^\s*[GMTgmt]\d+(?:\.\d+)?/;
const PARAM = /([A-Za-z])\s*([-+]?(?:\d+\.?\d*|\.\d+))?/g;

export function parseCommand(text: string): GcodeCommand {
  const code = commandCode(text);
  const head = CODE_PREFIX.exec(text);
  if (code === '' || !head) return { name: '', params: new Map(), rest: text };
  const rest = text.slice(head[0].length).trim();
  const params = new Map<string, number | null>();
  for (const match of rest.matchAll(PARAM)) {
    const letter = (match[1] ?? '').toUpperCase();
    if (!params.has(letter)) params.set(letter, match[2] === undefined ? null : Number(match[2]));
  }
  return { name: code.replace(/\.\d+$/, ''), params, rest };
}

/** A parameter's value, when the letter is present with a number (Marlin's `seenval`). */
export function numberParam(cmd: GcodeCommand, letter: string): number | undefined {
  const value = cmd.params.get(letter);
  return value === null || value === undefined ? undefined : value;
}
