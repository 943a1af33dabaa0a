/**
 * The one error type of printos. Every failure a user can see carries a stable
 * code (scripts match on it), a message that says how to recover, and the HTTP
 * status and process exit code it maps to at the edges (web handler, CLI).
 */
export const ERROR_CODES = {
  INVALID_ARGUMENT: { status: 400, exit: 2 },
  CONFIG_INVALID: { status: 400, exit: 3 },
  FILE_NOT_FOUND: { status: 404, exit: 4 },
  FILE_INVALID: { status: 422, exit: 4 },
  PORT_NOT_FOUND: { status: 404, exit: 5 },
  PORT_OPEN_FAILED: { status: 503, exit: 5 },
  PORT_LOST: { status: 503, exit: 6 },
  HANDSHAKE_FAILED: { status: 503, exit: 5 },
  PRINTER_NOT_RESPONDING: { status: 504, exit: 6 },
  PRINTER_BUSY: { status: 409, exit: 7 },
  FIRMWARE_RESET: { status: 502, exit: 6 },
  FIRMWARE_ERROR: { status: 502, exit: 6 },
  RESEND_LIMIT: { status: 502, exit: 6 },
  RESEND_OUT_OF_HISTORY: { status: 502, exit: 6 },
  LINE_TOO_LONG: { status: 422, exit: 4 },
  JOB_CANCELLED: { status: 409, exit: 130 },
  EMERGENCY_STOP: { status: 409, exit: 8 },
  NOT_SUPPORTED: { status: 501, exit: 9 },
  NOT_FOUND: { status: 404, exit: 4 },
  CONFLICT: { status: 409, exit: 7 },
  UNAUTHORIZED: { status: 401, exit: 10 },
  FORBIDDEN: { status: 403, exit: 10 },
  RATE_LIMITED: { status: 429, exit: 11 },
  PAYLOAD_TOO_LARGE: { status: 413, exit: 4 },
  CONFIRMATION_REQUIRED: { status: 409, exit: 12 },
  NOT_LINKED: { status: 409, exit: 13 },
  LOGIN_FAILED: { status: 401, exit: 10 },
  CLOUD_UNREACHABLE: { status: 503, exit: 14 },
  CLOUD_BAD_ANSWER: { status: 502, exit: 14 },
  CLOUD_REJECTED: { status: 502, exit: 14 },
  DOWNLOAD_FAILED: { status: 502, exit: 15 },
  SERVICE_NOT_RUNNING: { status: 503, exit: 16 },
  SERVICE_RUNNING: { status: 409, exit: 16 },
  UPDATE_UNSIGNED: { status: 422, exit: 17 },
  UPDATE_BAD_SIGNATURE: { status: 422, exit: 17 },
  UPDATE_TAMPERED: { status: 422, exit: 17 },
  UPDATE_DOWNGRADE: { status: 409, exit: 17 },
  UPDATE_INCOMPATIBLE: { status: 422, exit: 17 },
  UPDATE_INVALID: { status: 422, exit: 17 },
  UPDATE_NOT_INSTALLED: { status: 409, exit: 17 },
  UPDATE_FAILED: { status: 500, exit: 17 },
  INTERNAL: { status: 500, exit: 70 },
} as const satisfies Record<string, { status: number; exit: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class PrintosError extends Error {
  override readonly name = 'PrintosError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

/** Wraps anything thrown into a PrintosError; unknown failures become INTERNAL. */
export function toPrintosError(err: unknown): PrintosError {
  if (err instanceof PrintosError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new PrintosError('INTERNAL', `Unexpected failure: ${message}`, undefined, err);
}
