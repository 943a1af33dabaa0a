/**
 * Streams a file from disk with HTTP Range (RFC 9110 §14): 206 for one satisfiable range,
 * 416 past the end, else the whole file, always with Content-Length and never compressed,
 * so a broken download resumes. Used by job downloads and release archives.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PrintosError } from '../../core/errors.js';
import { parseRange } from './range.js';

export interface FileToSend {
  path: string;
  /** The NOT_FOUND message when the file is not on disk. */
  gone: string;
  /** Content-Type and the other headers of this kind of file. */
  headers: Record<string, string>;
}

export async function sendFileRanged(
  request: FastifyRequest,
  reply: FastifyReply,
  file: FileToSend,
): Promise<FastifyReply> {
  const { path } = file;
  const size = (await stat(path).catch(() => null))?.size;
  // Before any header is set: the error answer is plain JSON.
  if (size === undefined) throw new PrintosError('NOT_FOUND', file.gone);
  reply.headers(file.headers).header('Accept-Ranges', 'bytes');
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
}
