/**
 * What the link tells the cloud about things that happen to a printer, and what it does
 * with the cloud's printer_login refusals. Pure tables (protocol doc §1.6, §1.7.2).
 */
import type { Report } from '../streamer-api/index.js';
import { ERROR_LEVEL, type ErrorLevel, PRINTER_LOGIN_ERROR } from '../streamer-api/index.js';
import { LINK_ERROR } from './error-list.js';
import type { JobFinished } from './types.js';

export interface JobEndReport {
  /** Queued reports, sent one per request in this order. */
  events: Partial<Report>[];
  error?: { code: number; message: string; level: ErrorLevel };
}

/** A finished job as events (and, when it failed, a blocking error that fails the cloud job). */
export function jobEndEvents(event: JobFinished): JobEndReport {
  // The job's id rides along (a field the original's events lack, harmless to its cloud):
  // a job shorter than one loop period is never seen printing, and its end must still
  // be attributed to it, also after an outage.
  const job: Partial<Report> =
    event.cloudJobId === undefined
      ? {}
      : { clouds_job_id: event.cloudJobId, filename: event.filename };
  switch (event.outcome) {
    case 'completed':
      return {
        events: [
          { state: 'printing', percent: 100, ...job },
          { state: 'ready', percent: 100, ...job },
        ],
      };
    case 'cancelled':
      return { events: [{ state: 'cancel', ...job }] };
    case 'failed':
      return {
        events: [{ state: 'error', ...job }],
        error: {
          code: LINK_ERROR.PRINT_FAILED,
          message: `The print of ${event.filename} failed${event.message ? `: ${event.message}` : '.'}`,
          level: ERROR_LEVEL.blocking,
        },
      };
  }
}

export type LoginRefusal =
  | { action: 'retry'; message: string }
  | { action: 'unlinked'; message: string }
  | { action: 'critical'; message: string };

/** printer_login error codes: 8 → retry; 7, 9 → unlinked (stop); anything else → critical (stop). */
export function loginRefusal(code: number, cloudMessage: string): LoginRefusal {
  switch (code) {
    case PRINTER_LOGIN_ERROR.TYPE_UNKNOWN:
      return {
        action: 'retry',
        message: `The cloud does not know this printer's type yet; choose it in the cloud (${cloudMessage}).`,
      };
    case PRINTER_LOGIN_ERROR.UNLINKED:
    case PRINTER_LOGIN_ERROR.OTHER_ACCOUNT:
      return {
        action: 'unlinked',
        message: `The cloud unlinked this printer (code ${code}): ${cloudMessage}`,
      };
    default:
      return {
        action: 'critical',
        message: `Critical error on printer login (code ${code}): ${cloudMessage}`,
      };
  }
}
