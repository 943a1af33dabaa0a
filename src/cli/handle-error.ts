import { PrintosError, toPrintosError } from '../core/errors.js';

/**
 * The CLI's one error handler: a PrintosError becomes `error [CODE]: message`
 * on stderr and its exit code; anything else is reported as INTERNAL.
 */
export function reportCliError(
  err: unknown,
  stderr: NodeJS.WritableStream = process.stderr,
): number {
  const error = toPrintosError(err);
  stderr.write(`printos: error [${error.code}]: ${error.message}\n`);
  if (error.code === 'INTERNAL' && process.env.PRINTOS_DEBUG && err instanceof Error) {
    stderr.write(`${err.stack ?? ''}\n`);
  }
  return error.exitCode;
}

/** Parses a positive integer option or fails with INVALID_ARGUMENT naming the option. */
export function parseIntOption(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `${name} must be an integer ≥ ${min}, got "${value}"`,
    );
  }
  return n;
}

/** Parses a number option (fractions allowed). */
export function parseNumberOption(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min) {
    throw new PrintosError('INVALID_ARGUMENT', `${name} must be a number ≥ ${min}, got "${value}"`);
  }
  return n;
}
