/**
 * A job upload (page form or JSON API): the file is streamed to disk, checked (name,
 * type, printer of the account), then queued; with `start` it is sent to the printer.
 */
import { rm } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import type { JobRow } from '../store/jobs.js';
import type { CloudContext } from './context.js';
import { receiveForm } from './upload.js';

export const JOB_EXTENSIONS = ['.gcode', '.gco', '.g', '.zip'] as const;
const MAX_FILENAME = 255;

/** The name a user gave, without any directory part or control character. */
export function cleanFilename(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/\p{Cc}/gu, '')
    .trim()
    .slice(-MAX_FILENAME);
  const lower = clean.toLowerCase();
  if (!clean || clean.startsWith('.') || !JOB_EXTENSIONS.some((ext) => lower.endsWith(ext))) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `Upload a G-code file (${JOB_EXTENSIONS.join(', ')}); got "${clean.slice(0, 80)}".`,
    );
  }
  return clean;
}

export interface UploadResult {
  job: JobRow;
  started: boolean;
  /** Why a requested start did not happen (the printer was busy); the job stays queued. */
  notStarted?: string;
}

export async function receiveJob(
  ctx: CloudContext,
  request: FastifyRequest,
  accountId: number,
  checkFields: (fields: Record<string, string>) => void = () => {},
): Promise<UploadResult> {
  const form = await receiveForm(request, {
    tempDir: ctx.paths.jobs,
    maxFileBytes: ctx.limits.uploadBytes,
    maxFiles: 1,
    fileFields: ['file'],
    beforeFile: (fields, _field, filename) => {
      checkFields(fields);
      cleanFilename(filename);
    },
  });
  const file = form.files[0];
  try {
    if (!file) throw new PrintosError('INVALID_ARGUMENT', 'Choose a file to upload.');
    checkFields(form.fields);
    const printerId = Number(form.fields.printer_id);
    if (!Number.isInteger(printerId))
      throw new PrintosError('INVALID_ARGUMENT', 'Choose a printer.');
    const printer = ctx.printers.owned(accountId, printerId);
    const job = await ctx.jobs.create(accountId, printer, {
      tempPath: file.tempPath,
      filename: cleanFilename(file.filename),
      size: file.size,
      sha256: file.sha256,
    });
    return startIfAsked(ctx, accountId, job, form.fields.start);
  } catch (err) {
    if (file) await rm(file.tempPath, { force: true });
    throw err;
  }
}

function startIfAsked(
  ctx: CloudContext,
  accountId: number,
  job: JobRow,
  start: string | undefined,
): UploadResult {
  if (!['true', 'on', '1'].includes(start ?? '')) return { job, started: false };
  try {
    return { job: ctx.jobs.start(accountId, job.id), started: true };
  } catch (err) {
    if (err instanceof PrintosError && err.code === 'PRINTER_BUSY') {
      return { job, started: false, notStarted: err.message };
    }
    throw err;
  }
}
