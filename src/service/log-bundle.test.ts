import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { LogRing } from '../core/log-ring.js';
import { buildLogBundle, maskLine } from './log-bundle.js';

const DIGEST = 'a'.repeat(64);

describe('the support bundle', () => {
  it.each([
    [`{"msg":"x","user_token":"t0k3n"}`, `{"msg":"x","user_token":"***"}`],
    [`{"url":"http://cloud/streamerapi/download/3?sig=abc"}`, `{"url":"http://cloud/***"}`],
    [`{"msg":"digest ${DIGEST}"}`, `{"msg":"digest ***"}`],
    [`plain text ${DIGEST}`, 'plain text ***'],
  ])('masks %s', (line, masked) => {
    expect(maskLine(line)).toBe(masked);
  });

  it('keeps the newest log lines within its byte budget', () => {
    const ring = new LogRing(30);
    for (const n of [1, 2, 3, 4, 5]) ring.add(`line number ${n}\n`);
    expect(ring.lines()).toEqual(['line number 4', 'line number 5']);
  });

  it('zips the report, the masked log and the install description', async () => {
    const zip = await buildLogBundle({
      logLines: [`{"password":"hunter2","msg":"login"}`],
      report: 'it stopped',
      header: { version: '0.1.0printos', platform: 'linux', node: 'v20' },
      settings: { cloud: { url: 'embedded' } },
      printers: [{ id: 'p1', token: 'secret' }],
      status: { account: null },
    });
    const names: string[] = [];
    const texts: string[] = [];
    await new Promise<void>((resolve, reject) => {
      yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
        if (err || !file) return reject(err);
        file.on('entry', (entry: yauzl.Entry) => {
          names.push(entry.fileName);
          file.openReadStream(entry, async (error, stream) => {
            if (error || !stream) return reject(error);
            const chunks: Buffer[] = [];
            for await (const c of stream) chunks.push(c as Buffer);
            texts.push(Buffer.concat(chunks).toString());
            file.readEntry();
          });
        });
        file.on('end', () => resolve());
        file.readEntry();
      });
    });
    expect(names).toEqual([
      'problem_report.txt',
      'printos.log',
      'settings.json',
      'printers.json',
      'status.json',
    ]);
    expect(texts[0]).toMatch(/^printos 0\.1\.0printos, linux, Node\.js v20\n\nit stopped/);
    expect(texts.join('')).not.toMatch(/hunter2|secret/);
  });
});
