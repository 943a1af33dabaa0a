import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openPtyPair } from '../../test/helpers/pty-pair.js';
import { PrintosError } from '../core/errors.js';
import { createSerialOpener, openFailure, openSerial } from './serial.js';
import type { Transport } from './transport.js';

const WAIT = { timeout: 3_000, interval: 10 };

/** A debug logger whose records the test can read. */
function captureLog() {
  const records: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      records.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: 'debug' }, sink), records };
}

function received(transport: Transport): { text: () => string } {
  const chunks: Buffer[] = [];
  transport.onData((chunk) => chunks.push(chunk));
  return { text: () => Buffer.concat(chunks).toString() };
}

function closes(transport: Transport): { calls: (Error | undefined)[] } {
  const calls: (Error | undefined)[] = [];
  transport.onClose((error) => calls.push(error));
  return { calls };
}

describe('openSerial on a pty', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(resetOnOpen = false, opener = openSerial) {
    const pair = await openPtyPair();
    cleanups.push(() => pair.close());
    const transport = await opener({ path: pair.path, baudRate: 250000, resetOnOpen });
    cleanups.push(() => transport.close());
    const printer = { text: '' };
    pair.onData((chunk) => {
      printer.text += chunk.toString();
    });
    return { pair, transport, printer };
  }

  it('carries bytes both ways', async () => {
    const { pair, transport, printer } = await setup();
    const host = received(transport);
    expect(transport.description).toBe(`${pair.path}@250000`);
    transport.write('N1 M105*39\n');
    transport.write(Buffer.from('M114\n'));
    pair.write('ok T:21.0 /0.0\n');
    await vi.waitFor(() => expect(printer.text).toBe('N1 M105*39\nM114\n'), WAIT);
    await vi.waitFor(() => expect(host.text()).toBe('ok T:21.0 /0.0\n'), WAIT);
  });

  it('keeps bytes that arrive before onData', async () => {
    const { pair, transport } = await setup();
    pair.write('start\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const host = received(transport);
    await vi.waitFor(() => expect(host.text()).toBe('start\n'), WAIT);
  });

  it('opens even though a pty has no DTR line, and says so at debug level', async () => {
    const { log, records } = captureLog();
    const { pair, transport, printer } = await setup(true, createSerialOpener({ log }));
    transport.write('M110 N0\n');
    await vi.waitFor(() => expect(printer.text).toBe('M110 N0\n'), WAIT);
    const note = records.find((r) => r.msg.includes('modem lines'));
    expect(note?.level).toBe(20);
    expect(JSON.stringify(note)).toMatch(/Inappropriate ioctl/);
    expect(pair.path).toMatch(/^\/dev\/pts\//);
  });

  it('flushInput drops bytes not yet delivered', async () => {
    const { pair, transport } = await setup();
    pair.write('stale boot noise\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await transport.flushInput();
    const host = received(transport);
    pair.write('ok\n');
    await vi.waitFor(() => expect(host.text()).toBe('ok\n'), WAIT);
  });

  it('close() reports no error, once, and is safe to repeat', async () => {
    const { transport } = await setup();
    const closed = closes(transport);
    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    expect(closed.calls).toEqual([undefined]);
    expect(() => transport.write('M105\n')).not.toThrow();
    await transport.flushInput();
  });

  it('reports PORT_LOST once when the pty vanishes while idle', async () => {
    const { pair, transport } = await setup();
    const closed = closes(transport);
    await pair.kill();
    await vi.waitFor(() => expect(closed.calls).toHaveLength(1), WAIT);
    expect(closed.calls[0]).toBeInstanceOf(PrintosError);
    expect((closed.calls[0] as PrintosError).code).toBe('PORT_LOST');
    expect(() => transport.write('M105\n')).not.toThrow();
    await transport.close();
    expect(closed.calls).toHaveLength(1);
  });

  // Stock bindings-cpp spins forever on the 0-byte reads that follow a hang-up mid-stream
  // (serialport/bindings-cpp#162); several rounds make a regression show reliably.
  it('reports PORT_LOST when the pty vanishes mid-stream', async () => {
    for (let round = 0; round < 5; round++) {
      const { pair, transport } = await setup();
      const closed = closes(transport);
      received(transport);
      const flood = setInterval(
        () => pair.write('T:210.0 /210.0 B:60.0 /60.0 @:0 B@:0\n'.repeat(500)),
        1,
      );
      await new Promise((resolve) => setTimeout(resolve, 30 + round * 11));
      await pair.kill();
      clearInterval(flood);
      await vi.waitFor(() => expect(closed.calls).toHaveLength(1), WAIT);
      expect((closed.calls[0] as PrintosError).code).toBe('PORT_LOST');
    }
  });

  it('tells a late onClose listener that the port already vanished', async () => {
    const { pair, transport } = await setup();
    await pair.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closed = closes(transport);
    await vi.waitFor(() => expect(closed.calls).toHaveLength(1), WAIT);
    expect((closed.calls[0] as PrintosError).code).toBe('PORT_LOST');
  });

  it('refuses a second opener: the port is locked', async () => {
    const { pair } = await setup();
    await expect(openSerial({ path: pair.path, baudRate: 115200 })).rejects.toMatchObject({
      code: 'PORT_OPEN_FAILED',
      message: expect.stringMatching(/another program holds the port/),
    });
  });

  it('fails with PORT_NOT_FOUND for a missing path', async () => {
    await expect(
      openSerial({ path: '/dev/ttyPRINTOS_NONE', baudRate: 115200 }),
    ).rejects.toMatchObject({
      code: 'PORT_NOT_FOUND',
      message: expect.stringMatching(/printos ports/),
    });
  });
});

describe('openFailure', () => {
  it.each([
    [
      'Error: No such file or directory, cannot open /dev/ttyUSB9',
      'PORT_NOT_FOUND',
      /printos ports/,
    ],
    ['Opening COM9: File not found', 'PORT_NOT_FOUND', /printos ports/],
    ['Error: Permission denied, cannot open /dev/ttyUSB0', 'PORT_OPEN_FAILED', /dialout/],
    [
      'Error Resource temporarily unavailable Cannot lock port',
      'PORT_OPEN_FAILED',
      /another program/,
    ],
    [
      'Error: Device or resource busy, cannot open /dev/ttyACM0',
      'PORT_OPEN_FAILED',
      /another program/,
    ],
    ['Opening COM3: Access denied', 'PORT_OPEN_FAILED', /another program/],
    [
      'Error: Input/output error, cannot open /dev/ttyS3',
      'PORT_OPEN_FAILED',
      /Input\/output error/,
    ],
  ])('%s → %s', (reason, code, message) => {
    const error = openFailure(new Error(reason), '/dev/x');
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.details).toEqual({ path: '/dev/x', reason });
  });
});
