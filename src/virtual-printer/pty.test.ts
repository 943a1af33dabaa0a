import { constants, existsSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frameLine } from '../gcode/framing.js';
import { openPty } from './pty.js';
import { VirtualPrinter } from './virtual-printer.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Reads the slave until `done(text)` holds; resolves with what was read and whether it hung up. */
async function readUntil(
  fd: FileHandle,
  done: (text: string) => boolean,
): Promise<{ text: string; hungUp: boolean }> {
  let text = '';
  const buffer = Buffer.alloc(4096);
  while (!done(text)) {
    try {
      const { bytesRead } = await fd.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return { text, hungUp: true };
      text += buffer.subarray(0, bytesRead).toString('latin1');
    } catch {
      return { text, hungUp: true }; // EIO: the master side is gone
    }
  }
  return { text, hungUp: false };
}

async function openSlave(path: string): Promise<FileHandle> {
  // A plain read-write fd on the slave, as a serial library would open it (without becoming its tty).
  return open(path, constants.O_RDWR | constants.O_NOCTTY);
}

describe('virtual printer on a real pty', () => {
  it('talks Marlin over the pty, and a disconnect fault hangs the slave up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'printos-pty-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const linkPath = join(dir, 'ttyVIRTUAL');
    const link = await openPty({ linkPath });
    const printer = new VirtualPrinter(
      { homeTimeMs: 10, faults: [{ kind: 'disconnect', line: 3 }] },
      { link },
    );
    cleanups.push(() => printer.close());
    expect(link.path).toMatch(/^\/dev\/pts\/\d+$/);
    expect(readlinkSync(linkPath)).toBe(link.path);

    const fd = await openSlave(linkPath);
    cleanups.push(() => fd.close());
    const disconnected = new Promise((resolve) => printer.onDisconnect(resolve));
    printer.start();
    await readUntil(fd, (text) => text.includes('PlannerBufferBytes'));

    await fd.write(`${frameLine(0, 'M110 N0')}\n${frameLine(1, 'G28')}\n${frameLine(2, 'M105')}\n`);
    const answers = await readUntil(fd, (text) => text.includes('ok T:'));
    expect(answers.text).toContain('ok N0 P15 B3\n');
    expect(answers.text).toMatch(/ok N1 P15 B[23]\n/); // B2 when M105 is already queued
    expect(answers.text).toMatch(/ok T:22\.00 \/0\.00 B:22\.00 \/0\.00 @:0 B@:0\n/);

    await fd.write(`${frameLine(3, 'G1 X1')}\n`);
    expect(await disconnected).toBe('disconnect-fault');
    const after = await readUntil(fd, () => false);
    expect(after.hungUp).toBe(true);
    expect(existsSync(linkPath)).toBe(false);
    expect(printer.executed().map((c) => c.command)).toEqual(['M110 N0', 'G28', 'M105']);
  });
});
