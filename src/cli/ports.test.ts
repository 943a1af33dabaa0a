import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { PortInfo } from '../transport/ports.js';
import { registerPorts, renderPorts } from './ports.js';

const PRUSA: PortInfo = {
  path: '/dev/ttyACM0',
  vid: '2C99',
  pid: '0002',
  serialNumber: 'CZPX1234X004XK56789',
  manufacturer: 'Prusa Research (prusa3d.com)',
  product: 'Original Prusa i3 MK3',
};
const CH340: PortInfo = { path: '/dev/ttyUSB0', vid: '1A86', pid: '7523', product: 'USB Serial' };
const CP2102: PortInfo = { path: '/dev/ttyUSB1', vid: '10C4', pid: 'EA60' };
const UART: PortInfo = { path: '/dev/ttyAMA0' };

describe('renderPorts', () => {
  it('tabulates the known printers and counts the hidden ports', () => {
    expect(renderPorts([PRUSA, CH340, CP2102, UART])).toBe(
      [
        'PATH          VID:PID    SERIAL               DEVICE                                              PROFILE',
        '/dev/ttyACM0  2C99:0002  CZPX1234X004XK56789  Prusa Research (prusa3d.com) Original Prusa i3 MK3  Original Prusa i3 MK3/MK3S/MK3S+',
        '/dev/ttyUSB0  1A86:7523  -                    USB Serial                                          several, choose one: Creality Ender-3 / Ender-3 Pro / Ender-3 V2 (CH340) | Generic Marlin',
        '(2 other serial ports hidden; --all shows them)',
        '',
      ].join('\n'),
    );
  });

  it('shows every port with --all', () => {
    const lines = renderPorts([CP2102, UART], { all: true }).split('\n');
    expect(lines).toEqual([
      'PATH          VID:PID    SERIAL  DEVICE  PROFILE',
      '/dev/ttyUSB1  10C4:EA60  -       -       unknown',
      '/dev/ttyAMA0  -          -       -       unknown',
      '',
    ]);
  });

  it('prints JSON with the matched profiles', () => {
    const parsed: unknown = JSON.parse(renderPorts([CH340, UART], { json: true }));
    expect(parsed).toEqual([
      {
        ...CH340,
        profiles: [
          {
            alias: 'CREALITY_ENDER_3',
            name: 'Creality Ender-3 / Ender-3 Pro / Ender-3 V2 (CH340)',
          },
          { alias: 'Marlin', name: 'Generic Marlin' },
        ],
      },
    ]);
  });

  it.each([
    ['no ports at all', [], /^No serial ports found\./],
    [
      'only unknown ports',
      [CP2102, UART],
      /^No known printer among the 2 serial ports found; `printos ports --all`/,
    ],
  ])('hints at the cable and the dialout group for %s', (_case, ports, headline) => {
    const text = renderPorts(ports);
    expect(text).toMatch(headline);
    expect(text).toMatch(/data USB cable/);
    expect(text).toMatch(/dialout/);
  });

  it('prints an empty JSON array, without hints', () => {
    expect(renderPorts([], { json: true })).toBe('[]\n');
  });
});

describe('printos ports', () => {
  async function run(args: string[], ports: PortInfo[]): Promise<string> {
    let out = '';
    const program = new Command('printos').exitOverride();
    registerPorts(program, { listPorts: async () => ports, write: (text) => (out += text) });
    await program.parseAsync(['ports', ...args], { from: 'user' });
    return out;
  }

  it.each([
    [[], /^PATH .*\n\/dev\/ttyACM0 /],
    [['--all'], /\/dev\/ttyAMA0 .* unknown\n$/],
    [['--json'], /^\[\n {2}\{\n {4}"path": "\/dev\/ttyACM0"/],
  ])('%j', async (args, expected) => {
    expect(await run(args, [PRUSA, UART])).toMatch(expected);
  });
});
