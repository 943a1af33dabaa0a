import { describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { CLIENT_ERROR } from './codes.js';
import { decodeAnswer } from './decode.js';
import { MAX_ANSWER_BYTES } from './paths.js';

function failure(fn: () => unknown): PrintosError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PrintosError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('decodeAnswer: the tolerant forms of the original (§1.1)', () => {
  it.each([
    ['an empty body', ''],
    ['whitespace', ' \r\n'],
    ['the PHP artefact []', '[]'],
    ['an empty object', '{}'],
    ['a null command', '{"command": null}'],
  ])('%s means no command', (_name, body) => {
    const answer = decodeAnswer('command', body);
    expect(answer.command ?? null).toBeNull();
  });

  it('keeps [] as an empty queue for get_queued_jobs', () => {
    expect(decodeAnswer('getQueuedJobs', '[]')).toEqual([]);
  });

  it('accepts bytes as well as text', () => {
    const body = new TextEncoder().encode('{"command":"pause","number":4}');
    expect(decodeAnswer('command', body)).toMatchObject({ command: 'pause', number: 4 });
  });

  it('keeps fields a cloud adds beyond the protocol doc', () => {
    const answer = decodeAnswer('command', '{"command":"gcodes","number":1,"renders":{"a":1}}');
    expect(answer).toMatchObject({ renders: { a: 1 } });
  });

  it('keeps a number that is not an integer, so the client can answer error 112', () => {
    expect(decodeAnswer('command', '{"command":"pause","number":"x1"}').number).toBe('x1');
  });
});

describe('decodeAnswer: garbage is a clear error with the client error code', () => {
  it.each([
    ['not JSON', 'command', '<html>502</html>', CLIENT_ERROR.BAD_JSON],
    ['truncated JSON', 'userLogin', '{"user_token": "ab', CLIENT_ERROR.BAD_JSON],
    ['a string', 'command', '"pause"', CLIENT_ERROR.NOT_OBJECT],
    ['a number', 'printerLogin', '42', CLIENT_ERROR.NOT_OBJECT],
    ['null', 'command', 'null', CLIENT_ERROR.NOT_OBJECT],
    ['a wrong field type', 'command', '{"command": 5}', CLIENT_ERROR.NOT_OBJECT],
    ['a malformed error', 'userLogin', '{"error": {"code": "x"}}', CLIENT_ERROR.NOT_OBJECT],
    [
      'a token that is not a string',
      'printerLogin',
      '{"printer_token": 1}',
      CLIENT_ERROR.NOT_OBJECT,
    ],
  ] as const)('%s', (_name, endpoint, body, clientError) => {
    const error = failure(() => decodeAnswer(endpoint, body));
    expect(error.code).toBe('CLOUD_BAD_ANSWER');
    expect(error.details?.clientError).toBe(clientError);
    expect(error.message).toContain(endpoint);
  });

  it('refuses an oversized answer before parsing it', () => {
    const body = `{"command":null,"pad":"${'x'.repeat(MAX_ANSWER_BYTES)}"}`;
    const error = failure(() => decodeAnswer('command', body));
    expect(error.code).toBe('CLOUD_BAD_ANSWER');
    expect(error.message).toMatch(/too large/);
  });
});
