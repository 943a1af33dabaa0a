/**
 * The texts Marlin 2.1.2.1 sends, in one place so tests and docs can point at
 * them. Temperature reports start with a space as Marlin's print_heater_states
 * does (` T:…` alone, `ok T:…` after an ok).
 */
export const FIRMWARE_VERSION = 'Marlin 2.1.2.1';
const UUID = 'cede2a2f-41a2-4748-9b12-c55c62f367ff';

export const BOOT_BANNER: readonly string[] = [
  'start',
  `echo:${FIRMWARE_VERSION}`,
  'echo: Last Updated: 2023-07-13 | Author: (printos, virtual printer)',
  'echo: Compiled: Jul 13 2023',
  'echo: Free Memory: 4162  PlannerBufferBytes: 1216',
];

export const M115_LINES: readonly string[] = [
  `FIRMWARE_NAME:${FIRMWARE_VERSION} (printos virtual printer) ` +
    'SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 ' +
    `MACHINE_TYPE:printos Virtual EXTRUDER_COUNT:1 UUID:${UUID}`,
  ...[
    'SERIAL_XON_XOFF:0',
    'BINARY_FILE_TRANSFER:0',
    'EEPROM:1',
    'AUTOREPORT_TEMP:1',
    'PROGRESS:0',
    'AUTOLEVEL:1',
    'Z_PROBE:1',
    'LEVELING_DATA:1',
    'SOFTWARE_POWER:0',
    'TOGGLE_LIGHTS:0',
    'CASE_LIGHT_BRIGHTNESS:0',
    'EMERGENCY_PARSER:1',
    'HOST_ACTION_COMMANDS:1',
    'PROMPT_SUPPORT:0',
    'AUTOREPORT_POS:0',
    'THERMAL_PROTECTION:1',
  ].map((cap) => `Cap:${cap}`),
];

export const BUSY_PROCESSING = 'echo:busy: processing';
export const KILLED = 'Error:Printer halted. kill() called!';

export interface OkFields {
  /** Line number of the command, when it had one. */
  line: number | null;
  plannerFree: number;
  queueFree: number;
}

/** `ok`, or with ADVANCED_OK `ok N12 P15 B3` (N only for numbered commands). */
export function formatOk(advanced: boolean, fields: OkFields): string {
  if (!advanced) return 'ok';
  const n = fields.line === null ? '' : ` N${fields.line}`;
  return `ok${n} P${fields.plannerFree} B${fields.queueFree}`;
}

export interface HeaterState {
  current: number;
  target: number;
}

/** ` T:205.00 /210.00 B:60.00 /60.00 @:0 B@:0` as print_heater_states writes it. */
export function formatTemperatures(hotend: HeaterState, bed: HeaterState): string {
  const pair = (h: HeaterState) => `${h.current.toFixed(2)} /${h.target.toFixed(2)}`;
  return ` T:${pair(hotend)} B:${pair(bed)} @:0 B@:0`;
}

export function unknownCommand(command: string): string {
  return `echo:Unknown command: "${command}"`;
}
