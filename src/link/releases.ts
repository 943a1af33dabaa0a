/**
 * Asks the cloud for its latest printos release (GET /api/client/releases/latest, served
 * by the self-hosted cloud). Nothing here is trusted: the updater verifies the manifest's
 * signature with the key shipped in this copy. The archive must come from the cloud's own
 * origin, so a tampered answer cannot point the client at another host.
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { PrintosError } from '../core/errors.js';

export const LATEST_RELEASE_PATH = '/api/client/releases/latest';

const MAX_ANSWER_BYTES = 256 * 1024;

const latestSchema = z.looseObject({
  version: z.string().max(64),
  manifest: z
    .string()
    .min(2)
    .max(64 * 1024),
  signature: z.string().max(1024),
  archiveUrl: z.string().min(1).max(2048),
});

export interface LatestReleaseAnswer {
  version: string;
  manifest: Buffer;
  signature: string;
  archiveUrl: string;
}

export interface FetchLatestOptions {
  baseUrl: string;
  ca?: readonly string[];
  timeoutMs?: number;
}

/** The cloud's latest release, or null when it publishes none (404). */
export async function fetchLatestRelease(
  options: FetchLatestOptions,
): Promise<LatestReleaseAnswer | null> {
  const base = new URL(options.baseUrl);
  const url = new URL(LATEST_RELEASE_PATH, base);
  const { status, body } = await getText(url, options);
  if (status === 404) return null;
  if (status !== 200) {
    throw new PrintosError(
      'CLOUD_BAD_ANSWER',
      `The cloud answered HTTP ${status} to the update check.`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new PrintosError(
      'CLOUD_BAD_ANSWER',
      'The cloud answered the update check with non-JSON.',
    );
  }
  const parsed = latestSchema.safeParse(json);
  if (!parsed.success) {
    throw new PrintosError('CLOUD_BAD_ANSWER', 'The cloud answered the update check oddly.');
  }
  const archive = new URL(parsed.data.archiveUrl, base);
  if (archive.origin !== base.origin) {
    throw new PrintosError(
      'CLOUD_BAD_ANSWER',
      `The cloud points the update at another host (${archive.host}); refused.`,
    );
  }
  return {
    version: parsed.data.version,
    manifest: Buffer.from(parsed.data.manifest, 'utf8'),
    signature: parsed.data.signature,
    archiveUrl: archive.href,
  };
}

function getText(url: URL, options: FetchLatestOptions): Promise<{ status: number; body: string }> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(
      url,
      {
        timeout: options.timeoutMs ?? 15_000,
        headers: { accept: 'application/json' },
        ...(options.ca && url.protocol === 'https:' ? { ca: [...options.ca] } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            request.destroy(new Error('answer too large'));
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (err) =>
      reject(
        new PrintosError(
          'CLOUD_UNREACHABLE',
          `Cannot reach ${url.origin} to look for updates: ${err.message}`,
        ),
      ),
    );
  });
}
