/**
 * The contract between the cloud link and the rest of the client. The link sees a
 * printer only through LinkedPrinter (the service implements it over a PrinterDriver),
 * and the host only through HostIdentity; it never imports the printer layer's classes.
 */
import type { HeaterReading } from '../gcode/messages.js';
import type { JobOutcome, PrinterState } from '../printer/states.js';
import type { PrinterId } from '../streamer-api/index.js';

/** Sent with user_login (protocol doc §1.3, §1.5). */
export interface HostIdentity {
  host_mac: string;
  local_ip: string;
  platform: 'rpi' | 'linux' | 'mac' | 'win';
  /** version + branch, e.g. "0.1.0printos". */
  version: string;
}

export interface JobSnapshot {
  filename: string;
  /** The cloud's job id when the job came from the cloud (reported as clouds_job_id). */
  cloudJobId?: string | number;
  percent: number;
  /** The index of the last acknowledged job line (reported as line_number). */
  line: number;
}

export interface PrinterSnapshot {
  state: PrinterState;
  temperatures: HeaterReading[];
  job: JobSnapshot | null;
  /** Raw firmware lines for the cloud console since the last call (drained by the link). */
  console?: string[];
}

export interface JobFinished {
  outcome: JobOutcome;
  filename: string;
  cloudJobId?: string | number;
  /** Why it failed or was cancelled, for the error list. */
  message?: string;
}

export interface StartJobRequest {
  /** A local file: .gcode or a .zip holding one G-code file. */
  path: string;
  filename: string;
  cloudJobId?: string | number;
  /** Delete the file once the job ends (downloads); a local user's file is kept. */
  deleteAfter?: boolean;
}

/** What the link may do with one printer. Every method validates and throws PrintosError. */
export interface LinkedPrinter {
  /** A stable id for logs and the local API. */
  readonly key: string;
  /** VID/PID/SNR (+ COM) sent in printer_login. */
  readonly identity: PrinterId;
  snapshot(): PrinterSnapshot;
  /** Starts printing; rejects with PRINTER_BUSY when a job runs or the printer is not ready. */
  startJob(request: StartJobRequest): Promise<void>;
  pause(): void;
  resume(): void;
  cancel(): void;
  /** Console G-code from the cloud, executed between job lines. */
  sendGcode(lines: string[]): void;
  setName(name: string): void;
  /** Subscribes to job ends; returns the unsubscribe function. */
  onJobFinished(listener: (event: JobFinished) => void): () => void;
}

/** The link's view of a printer's cloud registration, kept per printer by the service. */
export interface PrinterCloudState {
  name?: string;
  connId?: string;
  printerType?: string;
}
