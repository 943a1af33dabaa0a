/** A LinkedPrinter as a plain object: settable snapshot, recorded calls, job ends on demand. */
import { readFile } from 'node:fs/promises';
import { PrintosError } from '../../src/core/errors.js';
import type {
  JobFinished,
  LinkedPrinter,
  PrinterSnapshot,
  StartJobRequest,
} from '../../src/link/types.js';

export interface FakePrinter extends LinkedPrinter {
  current: PrinterSnapshot;
  calls: Array<{ method: string; args: unknown[] }>;
  /** Contents of the files startJob received, read at the time of the call. */
  jobs: Array<{ request: StartJobRequest; content: Buffer }>;
  /** Makes the next call of `method` throw. */
  failNext(method: string, error: Error): void;
  finish(event: JobFinished): void;
  listeners(): number;
}

export function fakePrinter(initial?: Partial<PrinterSnapshot>): FakePrinter {
  const listeners = new Set<(event: JobFinished) => void>();
  const failures = new Map<string, Error>();
  const record = (method: string, ...args: unknown[]) => {
    printer.calls.push({ method, args });
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      throw failure;
    }
  };
  const printer: FakePrinter = {
    key: 'fake-1',
    identity: { VID: '2341', PID: '0042', SNR: 'SN1', COM: '/dev/ttyFAKE' },
    current: { state: 'ready', temperatures: [], job: null, ...initial },
    calls: [],
    jobs: [],
    snapshot: () => {
      const snapshot = { ...printer.current };
      // Console lines are drained by each call, as the real printer does.
      printer.current = { ...printer.current, console: [] };
      return snapshot;
    },
    startJob: async (request) => {
      record('startJob', request);
      if (printer.current.state !== 'ready') {
        throw new PrintosError('PRINTER_BUSY', 'The printer is busy.');
      }
      printer.jobs.push({ request, content: await readFile(request.path) });
      printer.current = {
        ...printer.current,
        state: 'printing',
        job: {
          filename: request.filename,
          percent: 0,
          line: 0,
          ...(request.cloudJobId !== undefined ? { cloudJobId: request.cloudJobId } : {}),
        },
      };
    },
    pause: () => record('pause'),
    resume: () => record('resume'),
    cancel: () => record('cancel'),
    sendGcode: (lines) => record('sendGcode', lines),
    setName: (name) => record('setName', name),
    onJobFinished: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    failNext: (method, error) => failures.set(method, error),
    finish: (event) => {
      for (const listener of listeners) listener(event);
    },
    listeners: () => listeners.size,
  };
  return printer;
}
