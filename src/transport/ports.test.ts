import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listPorts, normalizeHexId, type PortInfo, printable } from './ports.js';

const USB_HOST = 'devices/pci0000:00/0000:00:14.0/usb1';

/**
 * A sysfs tree laid out like a real one: /sys/class/tty/<name> links into /sys/devices,
 * the tty's `device` links to its parent (a usb-serial port for ttyUSB, the USB interface
 * for ttyACM, a platform device for UARTs), and USB attributes sit on the USB device.
 */
async function buildSysfs(root: string): Promise<void> {
  await usbDevice(root, '1-1/1-1.2', {
    idVendor: '1a86',
    idProduct: '7523',
    product: 'USB Serial',
  });
  await usbSerialTty(root, '1-1/1-1.2', 'ttyUSB0');
  await usbDevice(root, '1-1/1-1.3', {
    idVendor: '2c99',
    idProduct: '0002',
    serial: 'CZPX1234X004XK56789',
    manufacturer: 'Prusa Research (prusa3d.com)',
    product: 'Original Prusa i3 MK3',
  });
  await acmTty(root, '1-1/1-1.3', 'ttyACM0');
  await usbDevice(root, '1-1/1-1.4', {
    idVendor: '0403',
    idProduct: '6001',
    serial: 'A9\u0001\u0002',
  });
  await usbSerialTty(root, '1-1/1-1.4', 'ttyUSB1');
  // In sysfs but without a node in /dev (a container sees the host's sysfs).
  await usbDevice(root, '1-1/1-1.5', { idVendor: '2341', idProduct: '0042' });
  await acmTty(root, '1-1/1-1.5', 'ttyACM1');
  await platformTty(root, 'devices/platform/soc/3f201000.serial', 'ttyAMA0');
  await platformTty(root, 'devices/pnp0/00:04/00:04:0/00:04:0.0', 'ttyS0', '4');
  await platformTty(root, 'devices/platform/serial8250/serial8250:0/serial8250:0.1', 'ttyS1', '0');
  await classLink(root, 'devices/virtual/tty/tty0', 'tty0');
}

async function usbDevice(
  root: string,
  path: string,
  attributes: Record<string, string>,
): Promise<void> {
  const dir = join(root, USB_HOST, path);
  await mkdir(dir, { recursive: true });
  for (const [name, value] of Object.entries(attributes))
    await writeFile(join(dir, name), `${value}\n`);
}

/** ttyUSB: …/1-1.2/1-1.2:1.0/ttyUSB0/tty/ttyUSB0, device → the usb-serial port ttyUSB0. */
async function usbSerialTty(root: string, usbPath: string, name: string): Promise<void> {
  const port = join(USB_HOST, usbPath, `${usbPath.split('/').pop()}:1.0`, name);
  await ttyWithDevice(root, join(port, 'tty', name), port, name);
}

/** ttyACM: …/1-1.3/1-1.3:1.0/tty/ttyACM0, device → the interface 1-1.3:1.0. */
async function acmTty(root: string, usbPath: string, name: string): Promise<void> {
  const iface = join(USB_HOST, usbPath, `${usbPath.split('/').pop()}:1.0`);
  await ttyWithDevice(root, join(iface, 'tty', name), iface, name);
}

async function platformTty(
  root: string,
  device: string,
  name: string,
  type?: string,
): Promise<void> {
  const tty = join(device, 'tty', name);
  await ttyWithDevice(root, tty, device, name);
  if (type !== undefined) await writeFile(join(root, tty, 'type'), `${type}\n`);
}

async function ttyWithDevice(
  root: string,
  tty: string,
  device: string,
  name: string,
): Promise<void> {
  await mkdir(join(root, device), { recursive: true });
  await classLink(root, tty, name);
  await symlink(relative(join(root, tty), join(root, device)), join(root, tty, 'device'));
}

async function classLink(root: string, tty: string, name: string): Promise<void> {
  const link = join(root, 'class/tty', name);
  await mkdir(join(root, tty), { recursive: true });
  await mkdir(dirname(link), { recursive: true });
  await symlink(relative(dirname(link), join(root, tty)), link);
}

describe('listPorts from sysfs', () => {
  let root: string;
  let sysfsRoot: string;
  let devRoot: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'printos-sysfs-'));
    sysfsRoot = join(root, 'sys');
    devRoot = join(root, 'dev');
    await buildSysfs(sysfsRoot);
    await mkdir(devRoot);
    for (const name of ['ttyUSB0', 'ttyUSB1', 'ttyACM0', 'ttyAMA0', 'ttyS0', 'ttyS1', 'tty0']) {
      await writeFile(join(devRoot, name), '');
    }
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('finds USB serial ports with their ids, and real UARTs', async () => {
    const ports = await listPorts({ sysfsRoot, devRoot });
    expect(ports).toEqual<PortInfo[]>([
      {
        path: join(devRoot, 'ttyACM0'),
        vid: '2C99',
        pid: '0002',
        serialNumber: 'CZPX1234X004XK56789',
        manufacturer: 'Prusa Research (prusa3d.com)',
        product: 'Original Prusa i3 MK3',
      },
      { path: join(devRoot, 'ttyAMA0') },
      { path: join(devRoot, 'ttyS0') },
      { path: join(devRoot, 'ttyUSB0'), vid: '1A86', pid: '7523', product: 'USB Serial' },
      { path: join(devRoot, 'ttyUSB1'), vid: '0403', pid: '6001' },
    ]);
  });

  it('returns nothing when there is no sysfs', async () => {
    expect(await listPorts({ sysfsRoot: join(root, 'nowhere'), devRoot })).toEqual([]);
  });
});

describe('listPorts elsewhere', () => {
  it("normalizes serialport's list and sorts it", async () => {
    const listNative = async (): Promise<PortInfo[]> => [
      { path: 'COM10', vid: '2c99', pid: '2', serialNumber: 'CZP 1' },
      { path: 'COM3', vid: '0x1A86', pid: '7523', manufacturer: 'wch.cn' },
      { path: 'COM4', vid: 'nope', serialNumber: '\u0000' },
    ];
    expect(await listPorts({ platform: 'win32', listNative })).toEqual([
      { path: 'COM3', vid: '1A86', pid: '7523', manufacturer: 'wch.cn' },
      { path: 'COM4' },
      { path: 'COM10', vid: '2C99', pid: '0002', serialNumber: 'CZP 1' },
    ]);
  });

  it('reports a failing lister as a PrintosError', async () => {
    const listNative = () => Promise.reject(new Error('IOKit said no'));
    await expect(listPorts({ platform: 'darwin', listNative })).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringMatching(/darwin: IOKit said no/),
    });
  });
});

describe('normalizeHexId', () => {
  it.each([
    ['2c99', '2C99'],
    ['0x2C99', '2C99'],
    ['2', '0002'],
    [' 7523\n', '7523'],
    ['12345', undefined],
    ['VIRT', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (input, expected) => {
    expect(normalizeHexId(input)).toBe(expected);
  });
});

describe('printable', () => {
  it.each([
    ['CZPX1234X004XK56789', 'CZPX1234X004XK56789'],
    ['  A9 B2 \n', 'A9 B2'],
    ['Průša', 'Průša'],
    ['A9\u0001', undefined],
    ['bad\uFFFD', undefined],
    ['tab\there', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (input, expected) => {
    expect(printable(input)).toBe(expected);
  });
});
