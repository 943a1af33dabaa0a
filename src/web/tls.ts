/**
 * The HTTPS certificate of the external listener: the user's (web.certFile/keyFile), or a
 * self-signed one generated at first start, with this machine's names and addresses as
 * subject alternative names; its key in a mode-0600 file. A generated certificate is made
 * again when it nears expiry or a name or address of the machine is missing from it.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { generate } from 'selfsigned';
import { PrintosError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import type { DeviceNames } from './hosts.js';

export interface TlsMaterial {
  key: string;
  cert: string;
  /** The certificate's file, for the settings page. */
  certFile: string;
  generated: boolean;
}

export interface TlsOptions {
  certFile: string | null;
  keyFile: string | null;
  /** Where the generated pair is kept (the data directory). */
  dir: string;
  names: DeviceNames;
  now?: number;
}

export const GENERATED_CERT = 'web-cert.pem';
export const GENERATED_KEY = 'web-key.pem';
const VALID_DAYS = 730;
const RENEW_DAYS = 30;
const DAY_MS = 86_400_000;

export async function loadTls(options: TlsOptions): Promise<TlsMaterial> {
  if (options.certFile && options.keyFile) return userPair(options.certFile, options.keyFile);
  const certFile = join(options.dir, GENERATED_CERT);
  const keyFile = join(options.dir, GENERATED_KEY);
  const now = options.now ?? Date.now();
  const existing = await readPair(certFile, keyFile);
  if (existing && stillGood(existing, options.names, now)) {
    return { ...existing, certFile, generated: true };
  }
  const pair = await generatePair(options.names, now);
  await writeFileAtomic(keyFile, pair.key, { mode: 0o600 });
  await writeFileAtomic(certFile, pair.cert, { mode: 0o644 });
  return { ...pair, certFile, generated: true };
}

async function userPair(certFile: string, keyFile: string): Promise<TlsMaterial> {
  const pair = await readPair(certFile, keyFile);
  if (!pair) {
    throw new PrintosError(
      'CONFIG_INVALID',
      `Cannot read the HTTPS certificate ${certFile} or its key ${keyFile} (web.certFile, web.keyFile).`,
    );
  }
  try {
    createSecureContext({ key: pair.key, cert: pair.cert });
  } catch (err) {
    throw new PrintosError(
      'CONFIG_INVALID',
      `The HTTPS certificate ${certFile} and key ${keyFile} do not make a pair: ${(err as Error).message}`,
    );
  }
  return { ...pair, certFile, generated: false };
}

async function readPair(certFile: string, keyFile: string) {
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    return { cert, key };
  } catch {
    return undefined;
  }
}

/** Every name and address the certificate must carry, in X509's written form. */
export function subjectAltNames(names: DeviceNames): string[] {
  const dns = ['localhost', ...names.dns].map((n) => `DNS:${n}`);
  const ips = ['127.0.0.1', '::1', ...names.addresses].map((ip) => `IP:${normalizeIp(ip)}`);
  return [...new Set([...dns, ...ips])];
}

function stillGood(pair: { cert: string; key: string }, names: DeviceNames, now: number): boolean {
  try {
    const cert = new X509Certificate(pair.cert);
    if (!cert.checkPrivateKey(createPrivateKey(pair.key))) return false;
    if (Date.parse(cert.validTo) - now < RENEW_DAYS * DAY_MS) return false;
    const present = new Set(
      (cert.subjectAltName ?? '').split(', ').map((entry) => {
        const [kind, value = ''] = entry.split(/:(.*)/s);
        return kind === 'IP Address'
          ? `IP:${normalizeIp(value)}`
          : `${kind}:${value.toLowerCase()}`;
      }),
    );
    return subjectAltNames(names).every((name) => present.has(name));
  } catch {
    return false;
  }
}

async function generatePair(
  names: DeviceNames,
  now: number,
): Promise<{ key: string; cert: string }> {
  const altNames = subjectAltNames(names).map((entry) =>
    entry.startsWith('DNS:')
      ? { type: 2 as const, value: entry.slice(4) }
      : { type: 7 as const, ip: entry.slice(3) },
  );
  const result = await generate([{ name: 'commonName', value: names.dns[0] ?? 'printos' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY_MS),
    notAfterDate: new Date(now + VALID_DAYS * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { key: result.private, cert: result.cert };
}

/** One written form per address: `0:0:0:0:0:0:0:1` and `::1` are the same. */
function normalizeIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}
