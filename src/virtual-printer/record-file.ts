import { closeSync, openSync, writeSync } from 'node:fs';
import type { ExecutedCommand } from './recorder.js';

const FLUSH_BYTES = 64 * 1024;
const FLUSH_INTERVAL_MS = 1000;

/**
 * Writes executed commands to a file, one `<line>\t<command>` per line (`-`
 * for unnumbered), buffered so 200k lines cost little, flushed at least
 * every second and on close.
 */
export class RecordFile {
  readonly #fd: number;
  readonly #timer: NodeJS.Timeout;
  #buffer: string[] = [];
  #size = 0;
  #closed = false;

  constructor(path: string) {
    this.#fd = openSync(path, 'w');
    this.#timer = setInterval(() => this.flush(), FLUSH_INTERVAL_MS);
    this.#timer.unref();
  }

  add(entry: ExecutedCommand): void {
    if (this.#closed) return;
    const text = `${entry.line ?? '-'}\t${entry.command}\n`;
    this.#buffer.push(text);
    this.#size += text.length;
    if (this.#size >= FLUSH_BYTES) this.flush();
  }

  flush(): void {
    if (this.#buffer.length === 0 || this.#closed) return;
    writeSync(this.#fd, this.#buffer.join(''), null, 'latin1');
    this.#buffer = [];
    this.#size = 0;
  }

  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
    clearInterval(this.#timer);
    closeSync(this.#fd);
  }
}
