/**
 * Printer life as an explicit enum with named sets, not booleans
 * (OctoPrint's state enum is the model; its boolean soup is not).
 */
export const PRINTER_STATES = [
  'disconnected',
  'connecting',
  'ready',
  'printing',
  'pausing',
  'paused',
  'cancelling',
  'error',
  'halted',
] as const;

export type PrinterState = (typeof PRINTER_STATES)[number];

/** States in which a job owns the printer. */
export const JOB_ACTIVE_STATES: ReadonlySet<PrinterState> = new Set([
  'printing',
  'pausing',
  'paused',
  'cancelling',
]);

/** States in which commands can be sent. */
export const OPERATIONAL_STATES: ReadonlySet<PrinterState> = new Set([
  'ready',
  ...JOB_ACTIVE_STATES,
]);

export type JobOutcome = 'completed' | 'cancelled' | 'failed';
