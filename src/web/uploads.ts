/**
 * Uploaded G-code files: stored under <dataDir>/uploads with a generated name (the
 * user's name is only shown, never used as a path), size-capped by the multipart
 * limits, written to a temporary name first and never served back.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PrintosError } from '../core/errors.js';
import { ensureDir } from '../core/files.js';

const EXTENSION = /\.(gcode|gco|g|zip)$/i;
const MAX_NAME = 100;

/**
 * The name to show for an uploaded file: its last path segment, without control or
 * format characters (bidi overrides), trimmed and cut to 100 characters keeping the
 * extension. Refuses names that are not G-code or zip files.
 */
export function displayName(raw: string): string {
  const last = raw.split(/[/\\]/).pop() ?? '';
  let name = last
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .trim();
  const extension = EXTENSION.exec(name)?.[0];
  if (!extension) {
    throw new PrintosError(
      'FILE_INVALID',
      'printos prints G-code files (.gcode, .gco, .g) and .zip files holding one.',
    );
  }
  if (name.length > MAX_NAME) name = name.slice(0, MAX_NAME - extension.length) + extension;
  return name === extension ? `upload${extension}` : name;
}

export interface StoredUpload {
  path: string;
  name: string;
}

/** Streams an upload into the uploads folder; a truncated or failed upload leaves no file. */
export async function storeUpload(
  dir: string,
  rawName: string,
  stream: Readable & { truncated?: boolean },
): Promise<StoredUpload> {
  const name = displayName(rawName);
  await ensureDir(dir, 0o700);
  const base = `${Date.now()}-${randomBytes(6).toString('hex')}${EXTENSION.exec(name)?.[0]?.toLowerCase()}`;
  const path = join(dir, base);
  const partial = `${path}.part`;
  try {
    await pipeline(stream, createWriteStream(partial, { flags: 'wx', mode: 0o600 }));
    if (stream.truncated) {
      throw new PrintosError('PAYLOAD_TOO_LARGE', 'The file is larger than uploads may be.');
    }
    await rename(partial, path);
  } catch (err) {
    await rm(partial, { force: true });
    const status = (err as { statusCode?: number }).statusCode;
    if (status === 413) {
      throw new PrintosError('PAYLOAD_TOO_LARGE', 'The file is larger than uploads may be.');
    }
    throw err;
  }
  return { path, name };
}
