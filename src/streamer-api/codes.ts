/**
 * Numbers of the protocol: error levels, the client's error codes (protocol doc §1.15),
 * and the codes a cloud answers logins with (§1.5, §1.6).
 */

/** Levels of an entry in a report's `error` list (§1.7.1). */
export const ERROR_LEVEL = {
  normal: 0,
  debug: 10,
  info: 20,
  blocking: 40,
  critical: 50,
} as const;

export type ErrorLevel = (typeof ERROR_LEVEL)[keyof typeof ERROR_LEVEL];

/** Codes the client puts in a report's `error` list, as the original numbers them. */
export const CLIENT_ERROR = {
  BAD_JSON: 2,
  NOT_OBJECT: 3,
  CONNECTION: 5,
  REQUEST: 6,
  READ: 7,
  NOT_200: 8,
  PRINTER_LOGIN_CRITICAL: 26,
  UNKNOWN_COMMAND: 40,
  DOWNLOAD_LINK: 65,
  DOWNLOAD_INCOMPLETE: 66,
  DOWNLOAD_UNKNOWN: 67,
  DOWNLOAD_HTTP: 68,
  DOWNLOAD_CHUNK: 69,
  NOT_OPERATIONAL: 77,
  NOT_OPERATIONAL_TIMEOUT: 78,
  FILE_LOAD: 85,
  UNZIP: 87,
  NOT_ENOUGH_MEMORY: 88,
  PRINTER_LOST: 99,
  DOWNLOAD_RUNNING: 108,
  COMMAND_EXCEPTION: 109,
  COMMAND_IN_ERROR_STATE: 110,
  INVALID_COMMAND: 111,
  BAD_NUMBER: 112,
  VALIDATION: 113,
  CANCELLED_LOCALLY: 117,
  CANNOT_CONNECT: 119,
} as const;

/**
 * `user_login` error codes. 3 makes the original client forget its stored
 * credentials (§1.5); printos clouds answer it for a wrong email or password.
 */
export const USER_LOGIN_ERROR = {
  BAD_REQUEST: 1,
  THROTTLED: 2,
  BAD_CREDENTIALS: 3,
} as const;

/**
 * `printer_login` error codes (§1.6): 8 = type unknown (retry, maybe with
 * `select_printer_type`); 7 and 9 = unlinked or another account's (reset the printer's
 * cloud state and stop its interface); anything else is critical.
 */
export const PRINTER_LOGIN_ERROR = {
  BAD_TOKEN: 1,
  UNLINKED: 7,
  TYPE_UNKNOWN: 8,
  OTHER_ACCOUNT: 9,
} as const;

/** Codes of an `error` in answers of `command`, `get_queued_jobs`, `start_queued_job`. */
export const COMMAND_ERROR = {
  BAD_TOKEN: 1,
  BAD_REQUEST: 2,
  JOB_NOT_FOUND: 4,
  PRINTER_BUSY: 5,
} as const;
