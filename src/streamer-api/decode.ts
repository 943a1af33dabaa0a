/**
 * Decoding a cloud's answer, tolerant exactly where the original is (§1.1): an empty
 * body and the JSON literal `[]` (a PHP artefact) mean "nothing", any 200 is success.
 * Everything else must match the endpoint's schema, or it is garbage with a clear error.
 */
import type { z } from 'zod';
import { PrintosError } from '../core/errors.js';
import {
  cameraAnswerSchema,
  commandAnswerSchema,
  printerLoginAnswerSchema,
  queuedJobsAnswerSchema,
  sendLogsAnswerSchema,
  startQueuedJobAnswerSchema,
  userLoginAnswerSchema,
} from './answers.js';
import { CLIENT_ERROR } from './codes.js';
import { MAX_ANSWER_BYTES, type StreamerEndpoint } from './paths.js';

const ANSWER_SCHEMAS = {
  userLogin: userLoginAnswerSchema,
  printerLogin: printerLoginAnswerSchema,
  command: commandAnswerSchema,
  camera: cameraAnswerSchema,
  cameraJpeg: cameraAnswerSchema,
  getQueuedJobs: queuedJobsAnswerSchema,
  startQueuedJob: startQueuedJobAnswerSchema,
  sendLogs: sendLogsAnswerSchema,
} as const satisfies Record<StreamerEndpoint, z.ZodType>;

export type AnswerOf<E extends StreamerEndpoint> = z.infer<(typeof ANSWER_SCHEMAS)[E]>;

function garbage(endpoint: string, clientError: number, why: string): PrintosError {
  return new PrintosError('CLOUD_BAD_ANSWER', `The cloud's answer to ${endpoint} ${why}.`, {
    clientError,
  });
}

/** Parses and validates the body of a 200 answer from `endpoint`. */
export function decodeAnswer<E extends StreamerEndpoint>(
  endpoint: E,
  body: string | Uint8Array,
): AnswerOf<E> {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_ANSWER_BYTES) {
    throw garbage(endpoint, CLIENT_ERROR.READ, `is too large (${size} bytes)`);
  }
  const text = (typeof body === 'string' ? body : Buffer.from(body).toString('utf8')).trim();
  let value: unknown = {};
  if (text !== '') {
    try {
      value = JSON.parse(text);
    } catch {
      throw garbage(endpoint, CLIENT_ERROR.BAD_JSON, 'is not JSON');
    }
  }
  if (Array.isArray(value) && value.length === 0 && endpoint !== 'getQueuedJobs') value = {};
  if (value === null || typeof value !== 'object') {
    throw garbage(endpoint, CLIENT_ERROR.NOT_OBJECT, 'is not an object');
  }
  const result = ANSWER_SCHEMAS[endpoint].safeParse(value);
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first?.path.join('.') || '(root)';
    throw garbage(endpoint, CLIENT_ERROR.NOT_OBJECT, `is malformed at ${where}: ${first?.message}`);
  }
  return result.data as AnswerOf<E>;
}
