/**
 * The log upload of protocol doc §1.12: a multipart POST to `sendlogs` with the
 * user_token field, the zip as `file_data` and the problem text as `report_file`.
 * The multipart body is made by the platform's FormData (serialized through Response),
 * and sent over the same TLS trust as the link (a custom CA included).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { PrintosError } from '../core/errors.js';
import {
  decodeAnswer,
  MAX_ANSWER_BYTES,
  SENDLOGS_FIELDS,
  STREAMER_API,
} from '../streamer-api/index.js';
import type { CloudClient } from './cloud-client.js';

export interface SendLogsRequest {
  userToken: string;
  /** The zip of the logs. */
  bundle: Uint8Array;
  /** What the user says happened (problem_report.txt). */
  report?: string;
  now?: Date;
  timeoutMs?: number;
}

/** `YYYY_MM_DD___HH_MM_SS.zip`, the original's bundle name. */
export function bundleName(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${now.getUTCFullYear()}_${p(now.getUTCMonth() + 1)}_${p(now.getUTCDate())}___${p(now.getUTCHours())}_${p(now.getUTCMinutes())}_${p(now.getUTCSeconds())}.zip`;
}

export async function sendLogs(client: CloudClient, request: SendLogsRequest): Promise<void> {
  const form = new FormData();
  form.set(SENDLOGS_FIELDS.token, request.userToken);
  form.set(
    SENDLOGS_FIELDS.bundle,
    new Blob([new Uint8Array(request.bundle)], { type: 'application/zip' }),
    bundleName(request.now ?? new Date()),
  );
  if (request.report) {
    form.set(
      SENDLOGS_FIELDS.report,
      new Blob([request.report], { type: 'text/plain' }),
      'problem_report.txt',
    );
  }
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const type = encoded.headers.get('content-type') ?? 'multipart/form-data';
  const url = new URL(STREAMER_API.sendLogs, client.baseUrl);
  const answer = await post(url, body, type, client.ca, request.timeoutMs ?? 60_000);
  const decoded = decodeAnswer('sendLogs', answer);
  if (decoded.error || decoded.success !== true) {
    const why = decoded.error
      ? `${decoded.error.message} (code ${decoded.error.code})`
      : 'no success';
    throw new PrintosError('CLOUD_REJECTED', `The cloud refused the log upload: ${why}.`);
  }
}

function post(
  url: URL,
  body: Buffer,
  type: string,
  ca: readonly string[] | undefined,
  timeoutMs: number,
): Promise<Buffer> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': type, 'content-length': body.length },
        timeout: timeoutMs,
        ...(ca && url.protocol === 'https:' ? { ca: [...ca] } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          if (res.statusCode === 200) resolve(Buffer.concat(chunks));
          else reject(unreachable(`HTTP ${res.statusCode}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) => reject(unreachable(err.message)));
    req.end(body);
  });
}

function unreachable(why: string): PrintosError {
  return new PrintosError('CLOUD_UNREACHABLE', `The log upload did not reach the cloud: ${why}.`);
}
