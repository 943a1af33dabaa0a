/** A pino logger that writes into memory, to prove what is (not) logged. */
import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

export function memoryLog(level = 'trace'): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level }, stream), text: () => lines.join('') };
}
