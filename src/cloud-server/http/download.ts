/**
 * GET /streamerapi/download/<job>?expires=…&sig=…: the job file for the client, checked
 * by its signed link (403 when forged or expired), streamed from disk with HTTP Range
 * (206, or 416 when unsatisfiable) and never compressed, so a broken download resumes.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { DOWNLOAD_PATH } from '../services/download-links.js';
import type { CloudContext } from './context.js';
import { parseRange } from './range.js';

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
    const size = (await stat(path).catch(() => null))?.size;
    if (size === undefined) throw new PrintosError('NOT_FOUND', 'This job file is gone.');
    setFileHeaders(reply, job.filename);
    const range = parseRange(request.headers.range, size);
    if (range.kind === 'unsatisfiable') {
      return reply.code(416).header('Content-Range', `bytes */${size}`).send();
    }
    if (range.kind === 'partial') {
      reply
        .code(206)
        .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
        .header('Content-Length', range.end - range.start + 1);
      return reply.send(createReadStream(path, { start: range.start, end: range.end }));
    }
    reply.header('Content-Length', size);
    return reply.send(size === 0 ? '' : createReadStream(path));
  });
}

function setFileHeaders(reply: FastifyReply, filename: string): void {
  const ascii = filename.replace(/[^A-Za-z0-9._+-]/g, '_') || 'job.gcode';
  reply
    .header('Accept-Ranges', 'bytes')
    .header('Content-Type', 'application/octet-stream')
    .header(
      'Content-Disposition',
      `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
    )
    .header('Cache-Control', 'no-store');
}
