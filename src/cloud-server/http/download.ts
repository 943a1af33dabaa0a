/**
 * GET /streamerapi/download/<job>?expires=…&sig=…: the job file for the client, checked
 * by its signed link (403 when forged or expired), streamed from disk with HTTP Range
 * (206, or 416 when unsatisfiable) and never compressed, so a broken download resumes.
 */
import type { FastifyInstance } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { DOWNLOAD_PATH } from '../services/download-links.js';
import type { CloudContext } from './context.js';
import { sendFileRanged } from './send-file.js';

interface DownloadRequest {
  Params: { jobId: string };
  Querystring: { expires?: string; sig?: string };
}

export function registerDownload(app: FastifyInstance, ctx: CloudContext): void {
  app.get<DownloadRequest>(`${DOWNLOAD_PATH}/:jobId`, async (request, reply) => {
    const { jobId } = request.params;
    const { expires = '', sig = '' } = request.query;
    const check = ctx.links.check(jobId, String(expires), String(sig));
    if (check !== 'ok') {
      const why = check === 'expired' ? 'has expired' : 'is not valid';
      throw new PrintosError('FORBIDDEN', `This download link ${why}.`);
    }
    const { job, path } = ctx.jobs.downloadable(Number(jobId));
    return sendFileRanged(request, reply, {
      path,
      gone: 'This job file is gone.',
      headers: fileHeaders(job.filename),
    });
  });
}

function fileHeaders(filename: string): Record<string, string> {
  const ascii = filename.replace(/[^A-Za-z0-9._+-]/g, '_') || 'job.gcode';
  return {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    'Cache-Control': 'no-store',
  };
}
