import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FirmwareMessage } from './messages.js';
import { classifyError, parseResponse, parseTemperatures } from './responses.js';

type Row = [string, FirmwareMessage];

const acknowledgements: Row[] = [
  ['ok', { kind: 'ok' }],
  ['OK', { kind: 'ok' }],
  ['Ok', { kind: 'ok' }],
  ['ok\r', { kind: 'ok' }],
  ['  ok  ', { kind: 'ok' }],
  ['ok N12 P15 B3', { kind: 'ok', line: 12, plannerFree: 15, bufferFree: 3 }],
  ['ok P15 B3', { kind: 'ok', plannerFree: 15, bufferFree: 3 }],
  ['ok 12', { kind: 'ok', line: 12 }],
  ['okay', { kind: 'unknown', text: 'okay' }],
  [
    'ok T:20.0 /0.0 B:21.0 /0.0 @:0 B@:0',
    {
      kind: 'ok',
      temperatures: [
        { id: 'T0', current: 20, target: 0 },
        { id: 'B', current: 21, target: 0 },
      ],
    },
  ],
  [
    'ok T:293.0 /0.0 B:25.9 /0.0 T0:293.0 /0.0 T1:100.0 /0.0 @:0 B@:0 @0:0 @1:0',
    {
      kind: 'ok',
      temperatures: [
        { id: 'B', current: 25.9, target: 0 },
        { id: 'T0', current: 293, target: 0 },
        { id: 'T1', current: 100, target: 0 },
      ],
    },
  ],
  // Smoothieware: power as `@0` without a colon.
  [
    'ok T:21.3 /0.0 @0 B:20.8 /0.0 @0',
    {
      kind: 'ok',
      temperatures: [
        { id: 'T0', current: 21.3, target: 0 },
        { id: 'B', current: 20.8, target: 0 },
      ],
    },
  ],
  // Klipper lists the bed first.
  [
    'ok B:24.5 /0.0 T0:24.9 /0.0',
    {
      kind: 'ok',
      temperatures: [
        { id: 'B', current: 24.5, target: 0 },
        { id: 'T0', current: 24.9, target: 0 },
      ],
    },
  ],
  // Marlin M105 X: raw ADC values in parentheses.
  [
    'ok T:201.3 /200.0 (4001.2) B:60.1 /60.0 (3012.0) @:64 B@:0',
    {
      kind: 'ok',
      temperatures: [
        { id: 'T0', current: 201.3, target: 200 },
        { id: 'B', current: 60.1, target: 60 },
      ],
    },
  ],
  ['ok C: X:0.0000 Y:0.0000 Z:0.0000 E:0.0000', { kind: 'ok' }],
];

const resends: Row[] = [
  ['Resend: 12', { kind: 'resend', line: 12 }],
  ['Resend:12', { kind: 'resend', line: 12 }],
  ['Resend: N12', { kind: 'resend', line: 12 }],
  ['Resend: N:12', { kind: 'resend', line: 12 }],
  ['resend: 12', { kind: 'resend', line: 12 }],
  ['rs 12', { kind: 'resend', line: 12 }],
  ['rs N12', { kind: 'resend', line: 12 }],
  ['RS N:12', { kind: 'resend', line: 12 }],
  ['Resend:', { kind: 'unknown', text: 'Resend:' }],
];

const keepalives: Row[] = [
  ['echo:busy: processing', { kind: 'busy', reason: 'processing' }],
  ['busy: processing', { kind: 'busy', reason: 'processing' }],
  ['echo:busy: paused for user', { kind: 'busy', reason: 'paused for user' }],
  ['echo:busy: paused for input', { kind: 'busy', reason: 'paused for input' }],
  ['echo: busy: processing', { kind: 'busy', reason: 'processing' }],
  ['wait', { kind: 'wait' }],
  ['WAIT', { kind: 'wait' }],
  ['start', { kind: 'start' }],
  ['start\r', { kind: 'start' }],
  ['starting', { kind: 'unknown', text: 'starting' }],
];

const errors: Row[] = [
  [
    'Error:checksum mismatch, Last Line: 5',
    { kind: 'error', errorClass: 'checksum', message: 'checksum mismatch, Last Line: 5', line: 5 },
  ],
  [
    'Error:Line Number is not Last Line Number+1, Last Line: 5',
    {
      kind: 'error',
      errorClass: 'line-number',
      message: 'Line Number is not Last Line Number+1, Last Line: 5',
      line: 5,
    },
  ],
  [
    'Error:No Checksum with line number, Last Line: 5',
    {
      kind: 'error',
      errorClass: 'checksum',
      message: 'No Checksum with line number, Last Line: 5',
      line: 5,
    },
  ],
  [
    'Error:No Line Number with checksum, Last Line: 5',
    {
      kind: 'error',
      errorClass: 'line-number',
      message: 'No Line Number with checksum, Last Line: 5',
      line: 5,
    },
  ],
  [
    'Error:expected line 6 got 8',
    { kind: 'error', errorClass: 'line-number', message: 'expected line 6 got 8', line: 5 },
  ],
  [
    'echo:Unknown command: "G999"',
    { kind: 'error', errorClass: 'unknown-command', message: 'Unknown command: "G999"' },
  ],
  [
    '// Unknown command:"G999"',
    { kind: 'error', errorClass: 'unknown-command', message: 'Unknown command:"G999"' },
  ],
  [
    'Error:Printer halted. kill() called!',
    { kind: 'error', errorClass: 'kill', message: 'Printer halted. kill() called!' },
  ],
  [
    'Error:Printer stopped due to errors. Fix the error and use M999 to restart.',
    {
      kind: 'error',
      errorClass: 'kill',
      message: 'Printer stopped due to errors. Fix the error and use M999 to restart.',
    },
  ],
  [
    '!! Lost communication with MCU',
    { kind: 'error', errorClass: 'kill', message: 'Lost communication with MCU' },
  ],
  ['!!', { kind: 'error', errorClass: 'kill', message: '' }],
  ['fatal:Watchdog reset', { kind: 'error', errorClass: 'kill', message: 'Watchdog reset' }],
  [
    'Error:Thermal Runaway, system stopped! Heater_ID: 0',
    {
      kind: 'error',
      errorClass: 'thermal',
      message: 'Thermal Runaway, system stopped! Heater_ID: 0',
    },
  ],
  [
    'Error:Thermal Runaway, system stopped! Heater_ID: bed',
    {
      kind: 'error',
      errorClass: 'thermal',
      message: 'Thermal Runaway, system stopped! Heater_ID: bed',
    },
  ],
  [
    'Error:MAXTEMP triggered',
    { kind: 'error', errorClass: 'thermal', message: 'MAXTEMP triggered' },
  ],
  [
    'Error:MINTEMP BED triggered, system stopped! Heater_ID: bed',
    {
      kind: 'error',
      errorClass: 'thermal',
      message: 'MINTEMP BED triggered, system stopped! Heater_ID: bed',
    },
  ],
  ['Error:Heating failed', { kind: 'error', errorClass: 'thermal', message: 'Heating failed' }],
  ['Error:0', { kind: 'error', errorClass: 'thermal', message: '0' }],
  [
    'Error:open failed, File: x.g.',
    { kind: 'error', errorClass: 'sd', message: 'open failed, File: x.g.' },
  ],
  [
    'echo:open failed, File: x.g.',
    { kind: 'error', errorClass: 'sd', message: 'open failed, File: x.g.' },
  ],
  ['Error:volume.init failed', { kind: 'error', errorClass: 'sd', message: 'volume.init failed' }],
  ['error:Alarm lock', { kind: 'error', errorClass: 'other', message: 'Alarm lock' }],
  [
    'Error: Bad command: G1 X',
    { kind: 'error', errorClass: 'other', message: 'Bad command: G1 X' },
  ],
];

const information: Row[] = [
  ['echo:SD card ok', { kind: 'echo', message: 'SD card ok' }],
  ['echo:  G21    ; (mm)', { kind: 'echo', message: 'G21    ; (mm)' }],
  ['echo:', { kind: 'echo', message: '' }],
  ['// Klipper state: Ready', { kind: 'echo', message: 'Klipper state: Ready' }],
  ['//action:pause', { kind: 'action', action: 'pause', argument: '' }],
  ['// action:resume', { kind: 'action', action: 'resume', argument: '' }],
  ['//action:PAUSE', { kind: 'action', action: 'pause', argument: '' }],
  [
    '//action:notification Printing…',
    { kind: 'action', action: 'notification', argument: 'Printing…' },
  ],
  [
    '//action:prompt_begin Filament Runout',
    { kind: 'action', action: 'prompt_begin', argument: 'Filament Runout' },
  ],
  ['Cap:AUTOREPORT_TEMP:1', { kind: 'capability', name: 'AUTOREPORT_TEMP', enabled: true }],
  ['Cap:EMERGENCY_PARSER:0', { kind: 'capability', name: 'EMERGENCY_PARSER', enabled: false }],
];

const reports: Row[] = [
  [
    'T:210.0 /210.0 B:60.0 /60.0 @:127 B@:64',
    {
      kind: 'temperature',
      temperatures: [
        { id: 'T0', current: 210, target: 210 },
        { id: 'B', current: 60, target: 60 },
      ],
    },
  ],
  [
    ' T:210.0 /210.0 B:60.0 /60.0 @:127 B@:64',
    {
      kind: 'temperature',
      temperatures: [
        { id: 'T0', current: 210, target: 210 },
        { id: 'B', current: 60, target: 60 },
      ],
    },
  ],
  [
    'T0:200.0 /200.0 T1:25.0 /0.0 B:60 /60',
    {
      kind: 'temperature',
      temperatures: [
        { id: 'T0', current: 200, target: 200 },
        { id: 'T1', current: 25, target: 0 },
        { id: 'B', current: 60, target: 60 },
      ],
    },
  ],
  ['T:210.5 E:0 W:?', { kind: 'temperature', temperatures: [{ id: 'T0', current: 210.5 }] }],
  ['T:180.2 E:1 W:5', { kind: 'temperature', temperatures: [{ id: 'T1', current: 180.2 }] }],
  [
    'T:210.5 E:0 B:55.0',
    {
      kind: 'temperature',
      temperatures: [
        { id: 'T0', current: 210.5 },
        { id: 'B', current: 55 },
      ],
    },
  ],
  [
    'T:210 B:60',
    {
      kind: 'temperature',
      temperatures: [
        { id: 'T0', current: 210 },
        { id: 'B', current: 60 },
      ],
    },
  ],
  [
    'T:25.0 /0.0 B:24.0 /0.0 C:35 /0',
    {
      kind: 'temperature',
      temperatures: [
        { id: 'T0', current: 25, target: 0 },
        { id: 'B', current: 24, target: 0 },
        { id: 'C', current: 35, target: 0 },
      ],
    },
  ],
  ['C:35 /0', { kind: 'temperature', temperatures: [{ id: 'C', current: 35, target: 0 }] }],
  // Prusa: probe (P:) and ambient (A:) readings after the heaters.
  [
    'T:210.0 /210.0 B:60.0 /60.0 T0:210.0 /210.0 @:127 B@:64 P:35.0 A:30.0',
    {
      kind: 'temperature',
      temperatures: [
        { id: 'B', current: 60, target: 60 },
        { id: 'T0', current: 210, target: 210 },
        { id: 'P', current: 35 },
        { id: 'A', current: 30 },
      ],
    },
  ],
  [
    'T:-14.5 /0.0',
    { kind: 'temperature', temperatures: [{ id: 'T0', current: -14.5, target: 0 }] },
  ],
  [
    'T0:200.0/200.0',
    { kind: 'temperature', temperatures: [{ id: 'T0', current: 200, target: 200 }] },
  ],
  ['T:inf', { kind: 'unknown', text: 'T:inf' }],
  [
    'X:10.00 Y:20.00 Z:0.30 E:0.00 Count X:800 Y:1600 Z:120',
    { kind: 'position', x: 10, y: 20, z: 0.3, e: 0 },
  ],
  [
    'X:0.00 Y:-3.00 Z:0.15 E:0.00 Count X: 0.00 Y:-3.00 Z:0.15 E:0.00',
    { kind: 'position', x: 0, y: -3, z: 0.15, e: 0 },
  ],
  [
    'X:1.000 Y:2.000 Z:3.000 E:4.000 E0:-0.0 Count 0 0 0 Machine 1.000 2.000 3.000 Bed comp 0.000',
    { kind: 'position', x: 1, y: 2, z: 3, e: 4 },
  ],
  ['X:10.00 Y:20.00', { kind: 'unknown', text: 'X:10.00 Y:20.00' }],
];

const identification: Row[] = [
  [
    'FIRMWARE_NAME:Marlin 2.1.2.1 (Jun 15 2023 12:00:00) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin PROTOCOL_VERSION:1.0 MACHINE_TYPE:Ender-3 EXTRUDER_COUNT:1 UUID:cede2a2f-41a2-4748-9b12-c55c62f367ff',
    {
      kind: 'firmware-info',
      name: 'Marlin 2.1.2.1 (Jun 15 2023 12:00:00)',
      fields: {
        FIRMWARE_NAME: 'Marlin 2.1.2.1 (Jun 15 2023 12:00:00)',
        SOURCE_CODE_URL: 'github.com/MarlinFirmware/Marlin',
        PROTOCOL_VERSION: '1.0',
        MACHINE_TYPE: 'Ender-3',
        EXTRUDER_COUNT: '1',
        UUID: 'cede2a2f-41a2-4748-9b12-c55c62f367ff',
      },
    },
  ],
  [
    'FIRMWARE_NAME:Prusa-Firmware 3.13.0 based on Marlin FIRMWARE_URL:https://github.com/prusa3d/Prusa-Firmware PROTOCOL_VERSION:1.0 MACHINE_TYPE:Prusa i3 MK3S EXTRUDER_COUNT:1 UUID:00000000-0000-0000-0000-000000000000',
    {
      kind: 'firmware-info',
      name: 'Prusa-Firmware 3.13.0 based on Marlin',
      fields: {
        FIRMWARE_NAME: 'Prusa-Firmware 3.13.0 based on Marlin',
        FIRMWARE_URL: 'https://github.com/prusa3d/Prusa-Firmware',
        PROTOCOL_VERSION: '1.0',
        MACHINE_TYPE: 'Prusa i3 MK3S',
        EXTRUDER_COUNT: '1',
        UUID: '00000000-0000-0000-0000-000000000000',
      },
    },
  ],
  [
    'FIRMWARE_NAME: RepRapFirmware for Duet 2 WiFi/Ethernet FIRMWARE_VERSION: 3.4.5 ELECTRONICS: Duet 2 WiFi FIRMWARE_DATE: 2022-11-30 19:36:12',
    {
      kind: 'firmware-info',
      name: 'RepRapFirmware for Duet 2 WiFi/Ethernet',
      fields: {
        FIRMWARE_NAME: 'RepRapFirmware for Duet 2 WiFi/Ethernet',
        FIRMWARE_VERSION: '3.4.5',
        ELECTRONICS: 'Duet 2 WiFi',
        FIRMWARE_DATE: '2022-11-30 19:36:12',
      },
    },
  ],
  [
    'FIRMWARE_NAME:Smoothieware, FIRMWARE_URL:http%3A//smoothieware.org, X-SOURCE_CODE_URL:https://github.com/Smoothieware/Smoothieware, FIRMWARE_VERSION:edge-3332442,',
    {
      kind: 'firmware-info',
      name: 'Smoothieware',
      fields: {
        FIRMWARE_NAME: 'Smoothieware',
        FIRMWARE_URL: 'http%3A//smoothieware.org',
        'X-SOURCE_CODE_URL': 'https://github.com/Smoothieware/Smoothieware',
        FIRMWARE_VERSION: 'edge-3332442',
      },
    },
  ],
  [
    'FIRMWARE_NAME:Klipper FIRMWARE_VERSION:v0.12.0-85-gd785b396',
    {
      kind: 'firmware-info',
      name: 'Klipper',
      fields: { FIRMWARE_NAME: 'Klipper', FIRMWARE_VERSION: 'v0.12.0-85-gd785b396' },
    },
  ],
  [
    'NAME. Malyan VER: 3.0 MODEL: M200 HW: HA02',
    {
      kind: 'firmware-info',
      name: 'Malyan',
      fields: { NAME: 'Malyan', VER: '3.0', MODEL: 'M200', HW: 'HA02' },
    },
  ],
];

const noise: Row[] = [
  ['', { kind: 'unknown', text: '' }],
  ['Marlin 2.1.2.1', { kind: 'unknown', text: 'Marlin 2.1.2.1' }],
  ['SD card ok', { kind: 'unknown', text: 'SD card ok' }],
  ['rsync', { kind: 'unknown', text: 'rsync' }],
];

describe('parseResponse', () => {
  describe.each<[string, Row[]]>([
    ['acknowledgements', acknowledgements],
    ['resend requests', resends],
    ['keepalives and resets', keepalives],
    ['errors', errors],
    ['information', information],
    ['reports', reports],
    ['identification', identification],
    ['noise', noise],
  ])('%s', (_group, rows) => {
    it.each(rows)('%j', (line, expected) => {
      expect(parseResponse(line)).toEqual(expected);
    });
  });

  it('has at least 60 table rows', () => {
    const total = [
      acknowledgements,
      resends,
      keepalives,
      errors,
      information,
      reports,
      identification,
      noise,
    ].reduce((sum, rows) => sum + rows.length, 0);
    expect(total).toBeGreaterThanOrEqual(60);
  });

  it('never throws, for any string (fc.string, full Unicode, UTF-16 code units)', () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        expect(() => parseResponse(line)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (line) => {
        expect(() => parseResponse(line)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
    // Lone surrogates: what a JS string can hold even though no decoder produces it.
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(fc.string({ unit: codeUnit }), (line) => {
        expect(() => parseResponse(line)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws for strings built from protocol fragments', () => {
    const fragment = fc.constantFrom(
      'ok',
      ' ',
      'N',
      'T:',
      'T0:',
      'B:',
      '/',
      '12',
      '-3.5',
      'Error:',
      'echo:',
      'busy:',
      'Resend:',
      'rs ',
      '//action:',
      'Cap:',
      'FIRMWARE_NAME:',
      'X:',
      ' Count',
      ':',
      '(',
      '\u0000',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 20 }), (parts) => {
        expect(() => parseResponse(parts.join(''))).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });
});

describe('classifyError', () => {
  it.each<[string, string]>([
    ['Format error', 'checksum'],
    ['Wrong checksum', 'checksum'],
    ['One heater seems decoupled from thermistor - disabling all for safety!', 'thermal'],
    ['Unknown G-code: G999', 'unknown-command'],
    ['something else', 'other'],
  ])('%j → %s', (message, expected) => {
    expect(classifyError(message)).toBe(expected);
  });
});

describe('parseTemperatures', () => {
  it('keeps the first reading of a repeated id', () => {
    expect(parseTemperatures('T0:27.58 /0.00 B:28.27 /0.00 T0:99 /0.00')).toEqual([
      { id: 'T0', current: 27.58, target: 0 },
      { id: 'B', current: 28.27, target: 0 },
    ]);
  });
});
