import { type Logger, pino } from 'pino';
import type { LogRing } from './log-ring.js';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Write to this file descriptor; 2 (stderr) keeps stdout free for command output. */
  fd?: number;
  /** Also keep the lines in this ring (the service's support bundle). */
  ring?: LogRing;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.PRINTOS_LOG_LEVEL ?? 'info';
  const destination = pino.destination({ fd: options.fd ?? 2, sync: true });
  if (!options.ring) return pino({ level, base: undefined }, destination);
  return pino(
    { level, base: undefined },
    pino.multistream([
      { stream: destination, level: level as pino.Level },
      { stream: options.ring.stream(), level: level as pino.Level },
    ]),
  );
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
