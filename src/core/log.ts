import { type Logger, pino } from 'pino';

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Write to this file descriptor; 2 (stderr) keeps stdout free for command output. */
  fd?: number;
}

export function createLogger(options: LogOptions = {}): Logger {
  const level = options.level ?? process.env.PRINTOS_LOG_LEVEL ?? 'info';
  return pino({ level, base: undefined }, pino.destination({ fd: options.fd ?? 2, sync: true }));
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
