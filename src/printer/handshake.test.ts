import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log.js';
import { frameLine } from '../gcode/framing.js';
import type { OpenOptions, Transport, TransportOpener } from '../transport/transport.js';
import { DEFAULT_HANDSHAKE, handshake } from './handshake.js';

/** A fake firmware that understands the host only at `baud`; elsewhere it answers line noise. */
function firmwareAt(
  baud: number,
  answer: (line: string, reply: (text: string) => void) => void,
): { open: TransportOpener; opened: number[] } {
  const opened: number[] = [];
  const open: TransportOpener = async (options: OpenOptions) => {
    opened.push(options.baudRate);
    let onData: (chunk: Buffer) => void = () => {};
    const reply = (text: string) => setImmediate(() => onData(Buffer.from(`${text}\n`)));
    const transport: Transport = {
      description: `fake@${options.baudRate}`,
      write(data) {
        if (options.baudRate !== baud) return reply('\u00fe\u00ff\u0000garbage');
        for (const line of String(data).split('\n').filter(Boolean)) answer(line, reply);
      },
      onData: (listener) => {
        onData = listener;
      },
      onClose: () => {},
      flushInput: async () => {},
      close: async () => {},
    };
    return transport;
  };
  return { open, opened };
}

const marlin = (line: string, reply: (text: string) => void) => {
  if (line.includes('M115')) {
    reply('FIRMWARE_NAME:Marlin 2.1.2 SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin');
    reply('Cap:AUTOREPORT_TEMP:1');
    reply('Cap:EMERGENCY_PARSER:1');
  }
  reply('ok');
};

const fast = {
  ...DEFAULT_HANDSHAKE,
  answerTimeoutMs: 300,
  helloIntervalMs: 100,
  infoTimeoutMs: 300,
};

describe('handshake', () => {
  it('probes baud rates in order and stops at the first that answers', async () => {
    const { open, opened } = firmwareAt(115200, marlin);
    const connection = await handshake(
      open,
      { ...fast, path: '/dev/fake', baudRates: [250000, 115200, 57600] },
      silentLogger(),
    );
    expect(opened).toEqual([250000, 115200]);
    expect(connection.baudRate).toBe(115200);
    expect(connection.firmware).toEqual({
      name: 'Marlin 2.1.2',
      capabilities: { AUTOREPORT_TEMP: true, EMERGENCY_PARSER: true },
    });
    expect(connection.lastLine).toBe(1);
  });

  it('says which rates it tried when none answers', async () => {
    const { open } = firmwareAt(9600, marlin);
    await expect(
      handshake(open, { ...fast, path: '/dev/fake', baudRates: [250000, 115200] }, silentLogger()),
    ).rejects.toMatchObject({
      code: 'HANDSHAKE_FAILED',
      message: expect.stringContaining('250000, 115200 baud'),
    });
  });

  it('works with firmware that has no M115, resynchronising the line numbers', async () => {
    const sent: string[] = [];
    const { open } = firmwareAt(250000, (line, reply) => {
      sent.push(line);
      if (line.includes('M115')) reply('echo:Unknown command: "M115"');
      else reply('ok');
    });
    const connection = await handshake(
      open,
      { ...fast, path: '/dev/fake', baudRates: [250000] },
      silentLogger(),
    );
    expect(connection.firmware.name).toBeUndefined();
    expect(connection.lastLine).toBe(0);
    expect(sent.at(-1)).toBe(frameLine(0, 'M110 N0'));
  });

  it('retries a rejected M115 after a new hello', async () => {
    let corrupt = true;
    const { open } = firmwareAt(250000, (line, reply) => {
      if (line.includes('M115') && corrupt) {
        corrupt = false;
        reply('Error:checksum mismatch, Last Line: 0');
        reply('Resend: 1');
        reply('ok');
        return;
      }
      marlin(line, reply);
    });
    const connection = await handshake(
      open,
      { ...fast, path: '/dev/fake', baudRates: [250000] },
      silentLogger(),
    );
    expect(connection.firmware.name).toBe('Marlin 2.1.2');
    expect(connection.lastLine).toBe(1);
  });
});
