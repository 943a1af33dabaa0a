import { PrintosError } from '../../core/errors.js';

/** The sender's failures, each with a message that says what happened and what to do. */

export function resendLimit(line: number, count: number): PrintosError {
  return new PrintosError(
    'RESEND_LIMIT',
    `The printer asked for line ${line} ${count} times in a row: the serial link is unreliable (check the cable, the baud rate and USB power), or the printer's buffers are smaller than the receive-buffer and command-buffer settings say.`,
    { line },
  );
}

export function resendOutOfHistory(line: number): PrintosError {
  return new PrintosError(
    'RESEND_OUT_OF_HISTORY',
    `The printer asked for line ${line}, which is older than the resend history; the print cannot continue safely.`,
    { line },
  );
}

export function notResponding(probes: number): PrintosError {
  return new PrintosError(
    'PRINTER_NOT_RESPONDING',
    `The printer stopped answering (no reply to ${probes} status requests).`,
  );
}

export function firmwareReset(lastAckedFileLine: number | null): PrintosError {
  const where =
    lastAckedFileLine === null
      ? ''
      : ` The last line it acknowledged was file line ${lastAckedFileLine}.`;
  return new PrintosError('FIRMWARE_RESET', `The printer restarted (firmware reset).${where}`, {
    lastAckedFileLine,
  });
}

export function firmwareHalted(text: string): PrintosError {
  return new PrintosError('FIRMWARE_ERROR', `The printer stopped with an error: ${text}`);
}

export function lineTooLong(fileLine: number, bytes: number, max: number): PrintosError {
  return new PrintosError(
    'LINE_TOO_LONG',
    `Line ${fileLine} of the file is ${bytes} bytes once numbered; the firmware takes at most ${max}.`,
    { fileLine },
  );
}

export function emergencyStopped(): PrintosError {
  return new PrintosError(
    'EMERGENCY_STOP',
    'Emergency stop: the printer was halted (M112) and must be reset.',
  );
}
