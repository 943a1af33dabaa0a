/** A pass-through stream that counts and SHA-256-hashes what flows through it. */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export interface HashMeter {
  stream: Transform;
  /** Size and hex SHA-256 of everything that passed (call once the pipeline ended). */
  result(): { size: number; sha256: string };
}

export function hashMeter(): HashMeter {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ size, sha256: hash.digest('hex') }) };
}
