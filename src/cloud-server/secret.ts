/**
 * The server secret: signs download links and binds CSRF tokens. Kept in a 0600 file in
 * the data directory so links stay valid across restarts; created on first use.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PrintosError } from '../core/errors.js';
import { errorCode, writeFileAtomic } from '../core/files.js';

const SECRET_BYTES = 32;

export async function loadOrCreateSecret(path: string): Promise<Buffer> {
  try {
    const secret = Buffer.from((await readFile(path, 'utf8')).trim(), 'hex');
    if (secret.length < SECRET_BYTES) {
      throw new PrintosError(
        'CONFIG_INVALID',
        `The cloud secret in ${path} is damaged; delete it.`,
      );
    }
    return secret;
  } catch (err) {
    if (errorCode(err) !== 'ENOENT') throw err;
  }
  const secret = randomBytes(SECRET_BYTES);
  await writeFileAtomic(path, `${secret.toString('hex')}\n`, { mode: 0o600 });
  return secret;
}
