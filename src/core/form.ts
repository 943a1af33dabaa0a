import { PrintosError } from './errors.js';

/**
 * A text field of a parsed form body: '' when missing; anything but a short string is
 * refused. Shared by the web interface's and the self-hosted cloud's pages.
 */
export function formField(body: unknown, name: string, max = 1024): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (value === undefined) return '';
  if (typeof value !== 'string' || value.length > max) {
    throw new PrintosError('INVALID_ARGUMENT', `The field "${name}" is not valid.`);
  }
  return value;
}
