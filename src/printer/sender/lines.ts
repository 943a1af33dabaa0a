import { commandCode, isLongCommand } from '../../gcode/commands.js';
import { frameLine } from '../../gcode/framing.js';
import type { SentLine } from './flight.js';
import type { JobLine } from './types.js';

/** A command framed as `N<n> <command>*<checksum>\n`, with what the window needs to know of it. */
export function numberedLine(
  number: number,
  command: string,
  source: 'job' | 'host',
  from?: JobLine,
): SentLine {
  const text = `${frameLine(number, command)}\n`;
  const code = commandCode(command);
  return {
    line: number,
    text,
    bytes: Buffer.byteLength(text),
    source,
    code,
    long: isLongCommand(code),
    temperatureQuery: code === 'M105',
    fileLine: from?.fileLine ?? 0,
    endOffset: from?.endOffset ?? 0,
  };
}

/** An emergency command (M112, M108, M410): unnumbered, read by the firmware's emergency parser on arrival. */
export function urgentLine(command: string): SentLine {
  const text = `${command}\n`;
  return {
    line: null,
    text,
    bytes: text.length,
    source: 'urgent',
    code: command,
    long: false,
    temperatureQuery: false,
    fileLine: 0,
    endOffset: 0,
  };
}
