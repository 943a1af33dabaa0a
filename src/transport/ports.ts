/**
 * Serial port discovery. On Linux we read sysfs ourselves: serialport's list() spawns
 * `udevadm info -e`, and where udevadm is missing (minimal containers) the spawn error
 * is thrown asynchronously and crashes the process. Elsewhere serialport lists, loaded
 * lazily so that this module never pulls in the native binding on Linux.
 */
import { access, readdir, readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PrintosError } from '../core/errors.js';

export interface PortInfo {
  path: string;
  /** USB vendor id, 4 uppercase hex digits (protocol doc §4.3). */
  vid?: string;
  /** USB product id, 4 uppercase hex digits. */
  pid?: string;
  /** USB serial string; dropped when not printable, as the original client does. */
  serialNumber?: string;
  manufacturer?: string;
  product?: string;
}

export interface ListPortsOptions {
  /** sysfs mount point; tests pass a fixture tree. Giving it forces the sysfs path. */
  sysfsRoot?: string;
  /** Where the device nodes live; ports without a node here are left out. */
  devRoot?: string;
  platform?: NodeJS.Platform;
  /** The non-Linux lister; defaults to serialport's. */
  listNative?: () => Promise<PortInfo[]>;
}

/** A USB interface sits at most this many levels below its device in sysfs. */
const USB_PARENT_LEVELS = 3;

export async function listPorts(options: ListPortsOptions = {}): Promise<PortInfo[]> {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux' || options.sysfsRoot !== undefined) {
    return listSysfsPorts(options.sysfsRoot ?? '/sys', options.devRoot ?? '/dev');
  }
  const listNative = options.listNative ?? (await import('./serial.js')).listSerialportPorts;
  try {
    return sortPorts((await listNative()).map(normalizePort));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new PrintosError(
      'INTERNAL',
      `Listing serial ports failed on ${platform}: ${message}`,
      undefined,
      err,
    );
  }
}

/** `2c99`, `0x2C99` or `7523` → `2C99`/`7523`; anything else → undefined. */
export function normalizeHexId(value: string | undefined): string | undefined {
  const hex = value?.trim().replace(/^0x/i, '');
  if (!hex || !/^[0-9a-f]{1,4}$/i.test(hex)) return undefined;
  return hex.toUpperCase().padStart(4, '0');
}

/**
 * The trimmed string when every character is printable (Python's isprintable(), which the
 * original client applies to serial numbers: no control, format or separator characters
 * other than space, and no U+FFFD left by undecodable bytes), else undefined.
 */
export function printable(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text && /^(?:[^\p{C}\p{Z}\uFFFD]| )+$/u.test(text) ? text : undefined;
}

function normalizePort(port: PortInfo): PortInfo {
  return {
    path: port.path,
    vid: normalizeHexId(port.vid),
    pid: normalizeHexId(port.pid),
    serialNumber: printable(port.serialNumber),
    manufacturer: printable(port.manufacturer),
    product: printable(port.product),
  };
}

function sortPorts(ports: PortInfo[]): PortInfo[] {
  return ports.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

async function listSysfsPorts(sysfsRoot: string, devRoot: string): Promise<PortInfo[]> {
  const classDir = join(sysfsRoot, 'class', 'tty');
  const names = await readdir(classDir).catch(() => []);
  const ports = await Promise.all(
    names.map((name) => describeTty(join(classDir, name), name, devRoot)),
  );
  return sortPorts(ports.filter((port) => port !== undefined));
}

/**
 * A port is a tty with a `device` link (virtual consoles and ptys have none), that is
 * not one of the serial8250 placeholders (`type` 0 = no UART behind it; a PC kernel
 * registers 4 or 32 ttyS of them), and whose device node exists.
 */
async function describeTty(
  ttyDir: string,
  name: string,
  devRoot: string,
): Promise<PortInfo | undefined> {
  const device = await realpath(join(ttyDir, 'device')).catch(() => undefined);
  if (!device) return undefined;
  if ((await readAttribute(ttyDir, 'type')) === '0') return undefined;
  const path = join(devRoot, name);
  if (!(await exists(path))) return undefined;
  const usbDevice = await findUsbDevice(device);
  return usbDevice ? readUsbIds(usbDevice, path) : { path };
}

/** Walks up from the tty's device (a USB interface or usb-serial port) to the USB device. */
async function findUsbDevice(device: string): Promise<string | undefined> {
  let dir = device;
  for (let level = 0; level <= USB_PARENT_LEVELS; level++) {
    if ((await readAttribute(dir, 'idVendor')) !== undefined) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

async function readUsbIds(usbDevice: string, path: string): Promise<PortInfo> {
  const [vid, pid, serialNumber, manufacturer, product] = await Promise.all(
    ['idVendor', 'idProduct', 'serial', 'manufacturer', 'product'].map((name) =>
      readAttribute(usbDevice, name),
    ),
  );
  return normalizePort({ path, vid, pid, serialNumber, manufacturer, product });
}

async function readAttribute(dir: string, name: string): Promise<string | undefined> {
  try {
    return (await readFile(join(dir, name), 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
