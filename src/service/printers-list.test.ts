import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PortInfo } from '../transport/ports.js';
import {
  addPrinter,
  identityFor,
  loadPrinters,
  portLookup,
  removePrinter,
  updatePrinter,
} from './printers-list.js';

let dir: string;
let path: string;

/** A port table standing in for listPorts(). */
function lookupIn(ports: PortInfo[]) {
  return { lookupPort: portLookup(async () => ports) };
}
const USB: PortInfo = { path: '/dev/ttyACM0', vid: '2C99', pid: '0002', serialNumber: 'CZPX1' };
const noPorts = lookupIn([]);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-printers-'));
  path = join(dir, 'printers.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('addPrinter', () => {
  it('takes the USB ids of the port', async () => {
    const entry = await addPrinter(
      path,
      { port: '/dev/ttyACM0', baud: 115200, name: 'Mk4' },
      lookupIn([USB]),
    );
    expect(entry).toEqual({
      id: expect.stringMatching(/^p-[0-9a-f]{6}$/),
      port: '/dev/ttyACM0',
      baud: 115200,
      name: 'Mk4',
      identity: { VID: '2C99', PID: '0002', SNR: 'CZPX1' },
    });
    expect(await loadPrinters(path)).toEqual([entry]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['printers.json']);
  });

  it('gives an empty SNR to a USB device without a serial number', async () => {
    const entry = await addPrinter(
      path,
      { port: '/dev/ttyUSB0' },
      lookupIn([{ path: '/dev/ttyUSB0', vid: '1A86', pid: '7523' }]),
    );
    expect(entry.identity).toEqual({ VID: '1A86', PID: '7523', SNR: '' });
    expect(entry).not.toHaveProperty('baud');
    expect(entry).not.toHaveProperty('name');
  });

  it.each([
    ['/dev/ttyAMA0', 'UART', '0PIN'],
    ['/dev/ttyS1', 'UART', '0PIN'],
    ['/dev/serial0', 'UART', '0PIN'],
    ['/dev/pts/7', 'TTYS', '0PTY'],
    ['/dev/ttyUSB3', 'TTYS', '0PTY'],
  ])('gives %s, which has no USB ids, the pseudo identity %s:%s', async (port, VID, PID) => {
    const entry = await addPrinter(path, { port }, noPorts);
    expect(entry.identity).toEqual({ VID, PID, SNR: expect.stringMatching(/^[0-9A-F]{16}$/) });
  });

  it('keeps a pseudo identity across reloads and other changes', async () => {
    const pty = await addPrinter(path, { port: '/dev/pts/3' }, noPorts);
    await addPrinter(path, { port: '/dev/ttyACM0' }, lookupIn([USB]));
    await updatePrinter(path, pty.id, { name: 'bench' });
    const reloaded = (await loadPrinters(path)).find((p) => p.id === pty.id);
    expect(reloaded?.identity).toEqual(pty.identity);
    expect(JSON.parse(await readFile(path, 'utf8')).printers[0].identity.SNR).toBe(
      pty.identity.SNR,
    );
  });

  it('draws a new serial number for each pseudo identity', () => {
    const a = identityFor('/dev/pts/1', undefined);
    const b = identityFor('/dev/pts/1', undefined);
    expect(a.SNR).not.toBe(b.SNR);
  });

  it('refuses a port already listed (CONFLICT), also under another name', async () => {
    const target = join(dir, 'tty-real');
    await writeFile(target, '');
    const alias = join(dir, 'by-id-link');
    await symlink(target, alias);
    const first = await addPrinter(path, { port: target }, noPorts);
    for (const port of [target, alias]) {
      await expect(addPrinter(path, { port }, noPorts)).rejects.toMatchObject({
        code: 'CONFLICT',
        details: { id: first.id },
      });
    }
    expect(await loadPrinters(path)).toHaveLength(1);
  });

  it('finds the USB ids of a port named through a link', async () => {
    const target = join(dir, 'ttyACM9');
    await writeFile(target, '');
    const alias = join(dir, 'usb-Prusa-link');
    await symlink(target, alias);
    const entry = await addPrinter(
      path,
      { port: alias },
      lookupIn([{ path: target, vid: '2C99', pid: '0002', serialNumber: 'S1' }]),
    );
    expect(entry).toMatchObject({ port: alias, identity: { VID: '2C99', SNR: 'S1' } });
  });

  it.each<[string, object, string, RegExp]>([
    ['an empty port', { port: '' }, 'INVALID_ARGUMENT', /must not be empty/],
    ['a NUL in the port', { port: '/dev/tty\0x' }, 'INVALID_ARGUMENT', /NUL/],
    ['a relative port', { port: 'ttyUSB0' }, 'INVALID_ARGUMENT', /absolute path/],
    [
      'a missing path outside /dev',
      { port: '/tmp/printos-no-such-port' },
      'INVALID_ARGUMENT',
      /does not exist/,
    ],
    [
      'an odd baud rate',
      { port: '/dev/ttyUSB0', baud: 12345 },
      'INVALID_ARGUMENT',
      /baud: must be one of/,
    ],
    [
      'a name with an escape',
      { port: '/dev/ttyUSB0', name: 'a\u001b[2Jb' },
      'INVALID_ARGUMENT',
      /control characters/,
    ],
    ['an empty name', { port: '/dev/ttyUSB0', name: ' ' }, 'INVALID_ARGUMENT', /name/],
  ])('refuses %s', async (_name, input, code, message) => {
    const error = await addPrinter(path, input as { port: string }, noPorts).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(message);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('removePrinter / updatePrinter', () => {
  it('removes by id, and answers NOT_FOUND for an unknown one', async () => {
    const a = await addPrinter(path, { port: '/dev/ttyUSB0' }, noPorts);
    const b = await addPrinter(path, { port: '/dev/ttyUSB1' }, noPorts);
    expect(await removePrinter(path, a.id)).toEqual(a);
    expect(await loadPrinters(path)).toEqual([b]);
    const error = await removePrinter(path, a.id).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_FOUND' });
    expect((error as Error).message).toContain(b.id);
  });

  it('changes the name, baud and settings, and removes them with null', async () => {
    const entry = await addPrinter(path, { port: '/dev/ttyUSB0', name: 'old' }, noPorts);
    const changed = await updatePrinter(path, entry.id, {
      name: 'new',
      baud: 250000,
      settings: { flow: 'ping-pong', rxBufferBytes: 64 },
    });
    expect(changed).toMatchObject({
      name: 'new',
      baud: 250000,
      settings: { flow: 'ping-pong', rxBufferBytes: 64 },
    });
    expect((await loadPrinters(path))[0]).toEqual(changed);
    const cleared = await updatePrinter(path, entry.id, { name: null, baud: null, settings: {} });
    expect(cleared).toEqual({ id: entry.id, port: entry.port, identity: entry.identity });
  });

  it('stores only the per-printer settings that were given (defaults stay defaults)', async () => {
    const entry = await addPrinter(path, { port: '/dev/ttyUSB0' }, noPorts);
    await updatePrinter(path, entry.id, { settings: { resetOnConnect: false } });
    expect(JSON.parse(await readFile(path, 'utf8')).printers[0].settings).toEqual({
      resetOnConnect: false,
    });
  });

  it.each([
    [{ settings: { flow: 'fast' } }, /settings\.flow/],
    [{ settings: { unknown: 1 } }, /unknown/],
    [{ baud: 7 }, /baud/],
    [{ port: '/dev/other' }, /port/],
  ])('refuses the change %j', async (patch, message) => {
    const entry = await addPrinter(path, { port: '/dev/ttyUSB0' }, noPorts);
    const error = await updatePrinter(path, entry.id, patch as object).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toMatch(message);
  });
});

describe('loadPrinters', () => {
  it('is empty when there is no file', async () => {
    expect(await loadPrinters(path)).toEqual([]);
  });

  it('reports every problem of a hand-edited file with its path', async () => {
    await writeFile(
      path,
      JSON.stringify({
        version: 1,
        printers: [
          {
            id: 'x',
            port: '/dev/ttyUSB0',
            identity: { VID: 'abc', PID: '0002', SNR: '' },
            extra: 1,
          },
        ],
      }),
    );
    const error = await loadPrinters(path).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain(path);
    expect(message).toContain('printers.0.id');
    expect(message).toContain('printers.0.identity.VID');
    expect(message).toContain('extra');
  });
});
