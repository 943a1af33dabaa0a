import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { createMailer, readOutbox, writeOutbox } from './mailer.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'printos-outbox-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const message = {
  to: 'ann@example.com',
  subject: 'Reset\r\nBcc: evil@example.com',
  text: 'Open http://cloud.test/reset-password?token=abc',
  link: 'http://cloud.test/reset-password?token=abc',
};

describe('outbox', () => {
  it('writes a private .eml whose headers cannot be split, and lists it', async () => {
    const file = await writeOutbox(dir, message, Date.UTC(2025, 0, 2, 3, 4, 5));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/^Bcc:/m);
    expect(readOutbox(dir)).toEqual([
      {
        file: expect.stringMatching(/^20250102T030405Z-[0-9a-f]{8}\.eml$/),
        time: '2025-01-02T03:04:05.000Z',
        to: 'ann@example.com',
        subject: 'Reset Bcc: evil@example.com',
        link: message.link,
      },
    ]);
  });

  it('is empty when the folder does not exist', () => {
    expect(readOutbox(join(dir, 'missing'))).toEqual([]);
  });

  it('keeps the mail in the outbox when SMTP fails', async () => {
    // A port that refuses connections: listen, note the port, close.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const mailer = createMailer({
      outboxDir: dir,
      smtp: { host: '127.0.0.1', port, from: 'cloud@example.com' },
      log: silentLogger(),
      now: Date.now,
    });
    await mailer.send(message);
    expect(readOutbox(dir)).toHaveLength(1);
  });
});
