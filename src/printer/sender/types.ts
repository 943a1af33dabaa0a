import type { PrintosError } from '../../core/errors.js';
import type { FirmwareMessage, HeaterReading } from '../../gcode/messages.js';
import type { JobOutcome, PrinterState } from '../states.js';

/** One command of a job file, already stripped of comments. */
export interface JobLine {
  command: string;
  /** 1-based line number in the source file, for error messages. */
  fileLine: number;
  /** Byte offset in the source just past this line, for progress. */
  endOffset: number;
}

export type FlowMode = 'window' | 'ping-pong';

export interface SenderConfig {
  flow: FlowMode;
  /** The firmware's serial receive buffer in bytes (Marlin AVR default 128). */
  rxBufferBytes: number;
  /** The share of the RX buffer we fill; a Marlin developer advises 3/4. */
  rxUsableFraction: number;
  /**
   * Command-queue slots (Marlin BUFSIZE) assumed before ADVANCED_OK teaches the
   * real value. 1 is safe for any firmware: only the command being executed.
   */
  commandSlots: number;
  /** Learn commandSlots from ADVANCED_OK's `B` (never above this). */
  maxCommandSlots: number;
  /** Sent lines kept for resends; must exceed what can be in flight. */
  historySize: number;
  /** A job fails after this many consecutive resend requests for one line. */
  maxConsecutiveResends: number;
  /** Longest framed line (Marlin MAX_CMD_SIZE 96 incl. the newline). */
  maxLineBytes: number;
  timeouts: {
    /** Silence with lines in flight before we probe with M105. */
    okMs: number;
    /** The same while a long command (G28, M109, …) is in flight and no busy keepalive was seen. */
    longCommandMs: number;
    /** The same once the firmware has shown it sends `busy:` keepalives. */
    busyMs: number;
    /** Probes without any answer before the printer counts as gone. */
    maxProbes: number;
  };
  /** M105 period when the firmware does not autoreport temperatures. */
  temperaturePollMs: number;
  /** Sent when a job is cancelled, after the job's lines drained (heaters off, motion stopped). */
  cancelCommands: string[];
  pauseCommands: string[];
  resumeCommands: string[];
  /** Pending job lines kept ready (read-ahead), and when to ask for more. */
  readAheadLines: number;
}

export const DEFAULT_SENDER_CONFIG: SenderConfig = {
  flow: 'window',
  rxBufferBytes: 128,
  rxUsableFraction: 0.75,
  commandSlots: 1,
  maxCommandSlots: 64,
  historySize: 1024,
  maxConsecutiveResends: 10,
  maxLineBytes: 96,
  timeouts: { okMs: 5_000, longCommandMs: 300_000, busyMs: 7_000, maxProbes: 5 },
  temperaturePollMs: 2_000,
  cancelCommands: ['M410', 'M104 S0', 'M140 S0', 'M107'],
  pauseCommands: [],
  resumeCommands: [],
  readAheadLines: 512,
};

export interface FirmwareFacts {
  name?: string;
  capabilities: Record<string, boolean>;
}

export type SenderInput =
  | { type: 'message'; message: FirmwareMessage; now: number }
  | { type: 'tick'; now: number }
  | { type: 'job-start'; name: string; totalBytes: number; now: number }
  | { type: 'job-lines'; lines: JobLine[]; done: boolean; now: number }
  | { type: 'job-source-failed'; error: PrintosError; now: number }
  | { type: 'command'; command: string; now: number }
  | { type: 'pause' | 'resume' | 'cancel' | 'emergency-stop'; now: number }
  | { type: 'link-lost'; error: PrintosError; now: number };

export interface JobResult {
  outcome: JobOutcome;
  name: string;
  error?: PrintosError;
  /** The last file line the firmware acknowledged, when any. */
  lastAckedFileLine: number;
  linesAcked: number;
  bytesAcked: number;
}

export type SenderEvent =
  | { type: 'state'; state: PrinterState }
  | { type: 'temperatures'; readings: HeaterReading[] }
  | { type: 'firmware-message'; level: 'info' | 'warn' | 'error'; text: string }
  | { type: 'resend'; line: number; suppressed: boolean }
  | { type: 'host-action'; action: string; argument: string }
  | { type: 'job-finished'; result: JobResult }
  | { type: 'fatal'; error: PrintosError };

export type SenderAction =
  | { type: 'write'; data: string }
  | { type: 'request-lines'; max: number }
  | { type: 'event'; event: SenderEvent };
