/**
 * Builds native/printos-pam-helper.c for tests, with install's flags plus -Werror: the
 * helper must stay warning-free. Tests that need it skip, with the reason, when this
 * machine cannot build it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CC_FLAGS, PAM_HELPER } from '../../src/service/install/pam-helper.js';
import { run } from '../web/support/process.js';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const HELPER_SOURCE = join(REPO, PAM_HELPER.source);

const CC = ['/usr/bin/cc', '/usr/bin/gcc'].find((path) => existsSync(path));

/** Why the helper cannot be built here, or undefined when it can. */
export function buildSkipReason(): string | undefined {
  if (!CC) return 'no C compiler (apt-get install gcc)';
  if (!existsSync(PAM_HELPER.header))
    return `no ${PAM_HELPER.header} (apt-get install libpam0g-dev)`;
  return undefined;
}

/** Compiles the helper to `output`; the compiler's complaints make the error message. */
export async function buildHelper(output: string): Promise<string> {
  const result = await run(
    CC as string,
    [...CC_FLAGS, '-Werror', '-o', output, HELPER_SOURCE, '-lpam'],
    { timeoutMs: 60_000 },
  );
  if (result.code !== 0) throw new Error(`building the PAM helper failed: ${result.stderr}`);
  return output;
}
