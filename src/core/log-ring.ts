/**
 * The last lines the service logged, kept in memory for a support bundle ("Report a
 * problem", the cloud's upload_logs) when no log file can be written (core/log.ts
 * openLogFile is the usual source). Bounded by bytes; the oldest lines go first.
 */
import { Writable } from 'node:stream';

export class LogRing {
  readonly #maxBytes: number;
  #lines: string[] = [];
  #bytes = 0;

  constructor(maxBytes = 2 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  add(line: string): void {
    const text = line.endsWith('\n') ? line.slice(0, -1) : line;
    if (text === '') return;
    this.#lines.push(text);
    this.#bytes += text.length + 1;
    while (this.#bytes > this.#maxBytes && this.#lines.length > 1) {
      this.#bytes -= (this.#lines.shift() as string).length + 1;
    }
  }

  lines(): readonly string[] {
    return this.#lines;
  }

  /** A stream pino can write to. */
  stream(): Writable {
    return new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        for (const line of chunk.toString('utf8').split('\n')) this.add(line);
        done();
      },
    });
  }
}
