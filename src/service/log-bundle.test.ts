import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { LogRing } from '../core/log-ring.js';
import { dataPaths } from './data-dir.js';
import { type BundleInput, buildLogBundle, dataDirSecrets } from './log-bundle.js';

const HEADER = { version: '0.1.0printos', platform: 'linux', node: 'v20' };
const KNOWN = 'known-secret-value-1';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

function unzip(zip: Buffer): Promise<Array<[string, string]>> {
  return new Promise((resolve, reject) => {
    const entries: Array<[string, string]> = [];
    yauzl.fromBuffer(zip, { lazyEntries: true }, (err, file) => {
      if (err || !file) return reject(err);
      file.on('entry', (entry: yauzl.Entry) => {
        file.openReadStream(entry, async (error, stream) => {
          if (error || !stream) return reject(error);
          const chunks: Buffer[] = [];
          for await (const c of stream) chunks.push(c as Buffer);
          entries.push([entry.fileName, Buffer.concat(chunks).toString()]);
          file.readEntry();
        });
      });
      file.on('end', () => resolve(entries));
      file.readEntry();
    });
  });
}

function input(extra: Partial<BundleInput>): BundleInput {
  return {
    report: 'it stopped',
    header: HEADER,
    settings: { cloud: { url: 'embedded' } },
    printers: [{ id: 'p1', token: 'secret' }],
    status: { account: { email: 'maker@example.com' } },
    ...extra,
  };
}

const line = (n: number, msg: string, more: Record<string, unknown> = {}) =>
  JSON.stringify({ level: 30, time: n, msg, ...more });

async function logDir(files: Record<string, string[]>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'printos-bundle-'));
  const logs = join(dir, 'logs');
  await mkdir(logs);
  for (const [name, lines] of Object.entries(files)) {
    await writeFile(join(logs, name), `${lines.join('\n')}\n`);
  }
  return logs;
}

describe('the support bundle', () => {
  it('keeps the newest log lines within its byte budget', () => {
    const ring = new LogRing(30);
    for (const n of [1, 2, 3, 4, 5]) ring.add(`line number ${n}\n`);
    expect(ring.lines()).toEqual(['line number 4', 'line number 5']);
  });

  it('zips the report, the masked log lines and the install description', async () => {
    const bundle = await buildLogBundle(
      input({
        logLines: [`{"password":"hunter2","msg":"login"}`, `plain ${KNOWN}`],
        report: `it stopped; my token is ${KNOWN}`,
        secrets: [KNOWN],
      }),
    );
    const entries = await unzip(bundle.zip);
    expect(entries.map(([name]) => name)).toEqual([
      'problem_report.txt',
      'printos.log',
      'settings.json',
      'printers.json',
      'status.json',
    ]);
    const files = Object.fromEntries(entries);
    expect(files['problem_report.txt']).toMatch(/^printos 0\.1\.0printos, linux, Node\.js v20\n\n/);
    expect(files['problem_report.txt']).toBe(bundle.report);
    expect(files['printos.log']).toBe('{"password":"***","msg":"login"}\nplain ***\n');
    expect(files['status.json']).toContain('maker@example.com');
    expect(entries.map(([, text]) => text).join('')).not.toMatch(/hunter2|secret|known-/);
  });

  it('takes the log files newest first, masked, and keeps the newest part of the budget', async () => {
    const logs = await logDir({
      'printos.7.log': [line(1, 'oldest, left out')],
      'printos.8.log': [line(2, 'cut away'), line(3, 'older kept', { odd: `x ${KNOWN}` })],
      'printos.9.log': [line(4, 'newest', { user_token: 'abc' }), line(5, 'last')],
      'web-audit.jsonl': ['{"user":"never in the bundle"}'],
    });
    const newest = `${line(4, 'newest', { user_token: 'abc' })}\n${line(5, 'last')}\n`;
    const kept = `${line(3, 'older kept', { odd: `x ${KNOWN}` })}\n`;
    // The budget ends inside printos.8.log's first line: that partial line is dropped.
    const budget = Buffer.byteLength(newest) + Buffer.byteLength(kept) + 5;
    const bundle = await buildLogBundle(
      input({ logDir: logs, maxLogBytes: budget, secrets: [KNOWN], logLines: ['unused'] }),
    );
    const files = Object.fromEntries(await unzip(bundle.zip));
    expect(Object.keys(files)).toEqual([
      'problem_report.txt',
      'printos.log',
      'printos.log.1',
      'settings.json',
      'printers.json',
      'status.json',
    ]);
    expect(files['printos.log']?.split('\n').map((l) => (l ? JSON.parse(l).msg : l))).toEqual([
      'newest',
      'last',
      '',
    ]);
    expect(files['printos.log']).toContain('"user_token":"***"');
    expect(files['printos.log.1']).toBe(`${line(3, 'older kept', { odd: 'x ***' })}\n`);
    const all = Object.values(files).join('');
    expect(all).not.toMatch(/oldest|cut away|never in the bundle|unused|known-secret/);
  });

  it('streams a large log through the masking, line by line across chunks', async () => {
    const lines = Array.from({ length: 20_000 }, (_, i) =>
      line(i, `step ${i} é`, { printer_token: `tok${i}` }),
    );
    const logs = await logDir({ 'printos.1.log': lines });
    const files = Object.fromEntries(
      await unzip((await buildLogBundle(input({ logDir: logs }))).zip),
    );
    const out = (files['printos.log'] as string).trim().split('\n');
    expect(out).toHaveLength(20_000);
    expect(out[19_999]).toBe(line(19_999, 'step 19999 é', { printer_token: '***' }));
    expect(files['printos.log']).not.toMatch(/tok\d/);
  });

  it('reads the secrets of the data directory without touching its files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'printos-bundle-'));
    const paths = dataPaths(dir);
    const salt = 'S'.repeat(22);
    const hash = 'H'.repeat(43);
    await writeFile(paths.apiToken, `${'a'.repeat(64)}\n`);
    await writeFile(
      paths.credentials,
      JSON.stringify({ email: 'e', passwordDigest: 'd'.repeat(64) }),
    );
    await writeFile(
      paths.account,
      JSON.stringify({ email: 'e', verifier: `scrypt$1$8$1$${salt}$${hash}` }),
    );
    expect(await dataDirSecrets(paths)).toEqual([
      'a'.repeat(64),
      'd'.repeat(64),
      `scrypt$1$8$1$${salt}$${hash}`,
      salt,
      hash,
    ]);
    await writeFile(paths.credentials, 'not json');
    expect(await dataDirSecrets(dataPaths(join(dir, 'missing')))).toEqual([]);
    expect(await dataDirSecrets(paths)).toHaveLength(4);
  });
});
