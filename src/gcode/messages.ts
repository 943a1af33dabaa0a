/**
 * What firmware says, as values. Produced by `parseResponse` (responses.ts),
 * consumed by the sender state machine and the handshake. Pure data.
 */
export interface HeaterReading {
  /** `T0`, `T1`, … for tools (plain `T` is tool 0), `B` bed, `C` chamber, `P` probe, … */
  id: string;
  current: number;
  /** Target when the firmware reports one (`/210.0`). */
  target?: number;
}

export type ErrorClass =
  | 'checksum'
  | 'line-number'
  | 'unknown-command'
  | 'thermal'
  | 'kill'
  | 'sd'
  | 'other';

export type FirmwareMessage =
  /** `ok`, optionally ADVANCED_OK `ok N12 P15 B3`, optionally with temperatures (`ok T:…`). */
  | {
      kind: 'ok';
      line?: number;
      plannerFree?: number;
      bufferFree?: number;
      temperatures?: HeaterReading[];
    }
  /** `Resend: 12`, `Resend:12`, `rs 12`, `rs N12`, `Resend: N:12`. */
  | { kind: 'resend'; line: number }
  /** `echo:busy: processing`, `busy: paused for user`, … (Marlin host keepalive). */
  | { kind: 'busy'; reason: string }
  /** `wait` (Marlin NO_TIMEOUTS: idle, command buffer empty). */
  | { kind: 'wait' }
  /** `start` — the firmware (re)booted. */
  | { kind: 'start' }
  /** `Error:…` / `!! …` / `fatal:…`; `line` when the message names the last good line. */
  | { kind: 'error'; errorClass: ErrorClass; message: string; line?: number }
  /** `echo:…` not covered above. */
  | { kind: 'echo'; message: string }
  /** A stand-alone temperature report (M105 answer without ok, M155 autoreport, M109 wait lines). */
  | { kind: 'temperature'; temperatures: HeaterReading[] }
  /** M115 first line: `FIRMWARE_NAME:Marlin 2.1.2 (…) SOURCE_CODE_URL:… MACHINE_TYPE:…`. */
  | { kind: 'firmware-info'; name: string; fields: Record<string, string> }
  /** M115 `Cap:AUTOREPORT_TEMP:1`. */
  | { kind: 'capability'; name: string; enabled: boolean }
  /** `//action:pause`, `//action:notification Hello`. */
  | { kind: 'action'; action: string; argument: string }
  /** M114: `X:10.00 Y:20.00 Z:0.30 E:0.00 Count X:…`. */
  | { kind: 'position'; x: number; y: number; z: number; e: number }
  /** Anything else that decoded as text. */
  | { kind: 'unknown'; text: string }
  /** Bytes that are not a sane line: not UTF-8, control characters, or over-long (truncated). */
  | { kind: 'garbled'; text: string; reason: 'encoding' | 'too-long' | 'control' };

export type FirmwareMessageKind = FirmwareMessage['kind'];
