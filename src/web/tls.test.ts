import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { GENERATED_CERT, GENERATED_KEY, loadTls, subjectAltNames } from './tls.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-tls-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const NAMES = { dns: ['printer', 'printer.local'], addresses: ['192.168.1.20', 'fd00::2'] };
const generated = (names = NAMES, now?: number) =>
  loadTls({ certFile: null, keyFile: null, dir, names, ...(now ? { now } : {}) });

describe('the HTTPS certificate', () => {
  it('is generated with every name and address, its key in a 0600 file', async () => {
    const tls = await generated();
    const cert = new X509Certificate(tls.cert);
    expect(cert.subjectAltName).toBe(
      'DNS:localhost, DNS:printer, DNS:printer.local, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:192.168.1.20, IP Address:FD00:0:0:0:0:0:0:2',
    );
    expect(tls.generated).toBe(true);
    expect((await stat(join(dir, GENERATED_KEY))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(dir, GENERATED_CERT), 'utf8')).toBe(tls.cert);
  });

  it('is kept across starts, and made again for a new address or near expiry', async () => {
    const first = await generated();
    expect((await generated()).cert).toBe(first.cert);
    const moved = await generated({ ...NAMES, addresses: [...NAMES.addresses, '10.0.0.5'] });
    expect(moved.cert).not.toBe(first.cert);
    expect(new X509Certificate(moved.cert).subjectAltName).toContain('IP Address:10.0.0.5');
    const later = await generated(NAMES, Date.now() + 720 * 86_400_000);
    expect(later.cert).not.toBe(moved.cert);
  });

  it('is made again when the files are damaged', async () => {
    const first = await generated();
    await writeFile(join(dir, GENERATED_KEY), 'not a key');
    const second = await generated();
    expect(second.cert).not.toBe(first.cert);
  });

  it("uses the user's certificate and key, refusing a mismatched pair", async () => {
    const a = await generated();
    await writeFile(join(dir, 'mine.pem'), a.cert);
    await writeFile(join(dir, 'mine.key'), a.key);
    const mine = await loadTls({
      certFile: join(dir, 'mine.pem'),
      keyFile: join(dir, 'mine.key'),
      dir,
      names: NAMES,
    });
    expect(mine).toMatchObject({ cert: a.cert, generated: false });
    await rm(join(dir, GENERATED_CERT));
    const b = await generated();
    await writeFile(join(dir, 'other.key'), b.key);
    const error = await loadTls({
      certFile: join(dir, 'mine.pem'),
      keyFile: join(dir, 'other.key'),
      dir,
      names: NAMES,
    }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(PrintosError);
    expect((error as PrintosError).code).toBe('CONFIG_INVALID');
    const missing = await loadTls({
      certFile: '/nope.pem',
      keyFile: '/nope.key',
      dir,
      names: NAMES,
    }).catch((err: unknown) => err);
    expect((missing as PrintosError).message).toContain('/nope.pem');
  });

  it('writes one form per address', () => {
    expect(subjectAltNames({ dns: [], addresses: ['0:0:0:0:0:0:0:1', 'FD00::0:2'] })).toEqual([
      'DNS:localhost',
      'IP:127.0.0.1',
      'IP:::1',
      'IP:fd00::2',
    ]);
  });
});
