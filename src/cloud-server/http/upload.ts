/**
 * Streams the file parts of a multipart request to disk (never into memory), hashing
 * them on the way, and collects the text fields. Size limits end the upload with
 * PAYLOAD_TOO_LARGE, and every file written so far is deleted on any failure.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { hashMeter } from '../../core/hash-meter.js';

export interface ReceivedFile {
  field: string;
  filename: string;
  tempPath: string;
  size: number;
  sha256: string;
}

export interface ReceivedForm {
  fields: Record<string, string>;
  files: ReceivedFile[];
}

export interface ReceiveOptions {
  tempDir: string;
  maxFileBytes: number;
  maxFiles: number;
  /** Which file fields are expected; others are refused. */
  fileFields: readonly string[];
  /** Called before a file is written, with the fields seen so far (CSRF, ownership). */
  beforeFile?: (fields: Record<string, string>, field: string, filename: string) => void;
}

const MAX_FIELD_BYTES = 4096;
const MAX_FIELDS = 20;

export async function receiveForm(
  request: FastifyRequest,
  options: ReceiveOptions,
): Promise<ReceivedForm> {
  if (!request.isMultipart()) {
    throw new PrintosError('INVALID_ARGUMENT', 'Send the file as multipart/form-data.');
  }
  const form: ReceivedForm = { fields: {}, files: [] };
  try {
    const parts = request.parts({
      limits: {
        fileSize: options.maxFileBytes,
        files: options.maxFiles,
        fields: MAX_FIELDS,
        fieldSize: MAX_FIELD_BYTES,
      },
    });
    for await (const part of parts) {
      if (part.type === 'field') {
        form.fields[part.fieldname] = String(part.value);
        continue;
      }
      if (!options.fileFields.includes(part.fieldname)) {
        part.file.resume();
        throw new PrintosError('INVALID_ARGUMENT', `Unexpected file field "${part.fieldname}".`);
      }
      options.beforeFile?.(form.fields, part.fieldname, part.filename);
      form.files.push(await saveStream(part.file, part.fieldname, part.filename, options));
    }
    return form;
  } catch (err) {
    await Promise.all(form.files.map((file) => rm(file.tempPath, { force: true })));
    throw uploadError(err);
  }
}

async function saveStream(
  stream: NodeJS.ReadableStream & { truncated?: boolean },
  field: string,
  filename: string,
  options: ReceiveOptions,
): Promise<ReceivedFile> {
  const tempPath = join(options.tempDir, `.upload-${randomBytes(8).toString('hex')}`);
  const meter = hashMeter();
  try {
    await pipeline(stream, meter.stream, createWriteStream(tempPath, { mode: 0o600 }));
    if (stream.truncated) throw tooLarge(options.maxFileBytes);
  } catch (err) {
    await rm(tempPath, { force: true });
    throw err;
  }
  return { field, filename, tempPath, ...meter.result() };
}

function tooLarge(limit: number): PrintosError {
  return new PrintosError(
    'PAYLOAD_TOO_LARGE',
    `The file is larger than ${Math.floor(limit / (1024 * 1024))} MB.`,
  );
}

function uploadError(err: unknown): unknown {
  if (err instanceof PrintosError) return err;
  const code = (err as { code?: string }).code;
  if (code === 'FST_REQ_FILE_TOO_LARGE')
    return new PrintosError('PAYLOAD_TOO_LARGE', 'The file is too large.');
  if (code === 'FST_FILES_LIMIT' || code === 'FST_FIELDS_LIMIT' || code === 'FST_PARTS_LIMIT') {
    return new PrintosError('INVALID_ARGUMENT', 'Too many parts in the form.');
  }
  return err;
}
