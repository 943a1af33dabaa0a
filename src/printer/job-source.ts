import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { PrintosError } from '../core/errors.js';
import { stripLine } from '../gcode/strip.js';
import type { JobLine } from './sender/types.js';
import { openZipEntry } from './zip-entry.js';

/** A job's lines, pulled a batch at a time so memory stays constant however big the file. */
export interface JobSource {
  readonly name: string;
  readonly totalBytes: number;
  read(maxLines: number): Promise<{ lines: JobLine[]; done: boolean }>;
  close(): Promise<void>;
}

export interface JobSourceOptions {
  /** Strip `(…)` comments too (RepRap style); off for Marlin, where M117 text may hold parens. */
  parenComments?: boolean;
}

const GCODE_EXTENSIONS = new Set(['.gcode', '.gco', '.g']);
/** A line longer than this is not G-code; refuse rather than buffer it. */
const MAX_FILE_LINE_BYTES = 64 * 1024;
const CHUNK_BYTES = 64 * 1024;

export async function openJobSource(
  path: string,
  options: JobSourceOptions = {},
): Promise<JobSource> {
  const size = await fileSize(path);
  const extension = extname(path).toLowerCase();
  if (extension === '.zip' || (await hasZipMagic(path))) {
    const entry = await openZipEntry(path, GCODE_EXTENSIONS);
    return new GcodeLineSource(entry.name, entry.size, entry.chunks, entry.close, options);
  }
  if (!GCODE_EXTENSIONS.has(extension)) {
    throw new PrintosError(
      'FILE_INVALID',
      `${basename(path)} is not a G-code file: printos prints .gcode (also .gco, .g) files and .zip files holding one.`,
    );
  }
  const stream = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  const close = async () => {
    stream.destroy();
  };
  return new GcodeLineSource(basename(path), size, stream[Symbol.asyncIterator](), close, options);
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new PrintosError('FILE_INVALID', `${path} is not a file.`);
    return info.size;
  } catch (err) {
    if (err instanceof PrintosError) throw err;
    throw new PrintosError(
      'FILE_NOT_FOUND',
      `Cannot read ${path}: no such file, or no permission.`,
      undefined,
      err,
    );
  }
}

async function hasZipMagic(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    await handle.read(head, 0, 4, 0);
    return head.readUInt32LE(0) === 0x04034b50;
  } finally {
    await handle.close();
  }
}

/** Splits byte chunks into stripped G-code lines, tracking file line numbers and byte offsets. */
class GcodeLineSource implements JobSource {
  #carry: Buffer = Buffer.alloc(0);
  #offset = 0;
  #fileLine = 0;
  #ended = false;

  constructor(
    readonly name: string,
    readonly totalBytes: number,
    private readonly chunks: AsyncIterator<Buffer | string>,
    private readonly closeSource: () => Promise<void>,
    private readonly options: JobSourceOptions,
  ) {}

  async read(maxLines: number): Promise<{ lines: JobLine[]; done: boolean }> {
    const lines: JobLine[] = [];
    while (lines.length < maxLines) {
      const newline = this.#carry.indexOf(10);
      if (newline >= 0) {
        this.#takeLine(newline, newline + 1, lines);
        continue;
      }
      if (this.#ended) {
        if (this.#carry.length > 0) this.#takeLine(this.#carry.length, this.#carry.length, lines);
        return { lines, done: true };
      }
      await this.#pull();
    }
    return { lines, done: false };
  }

  async close(): Promise<void> {
    await this.closeSource();
  }

  async #pull(): Promise<void> {
    let next: IteratorResult<Buffer | string>;
    try {
      next = await this.chunks.next();
    } catch (err) {
      throw new PrintosError(
        'FILE_INVALID',
        `Reading ${this.name} failed: ${(err as Error).message}`,
        undefined,
        err,
      );
    }
    if (next.done) {
      this.#ended = true;
      return;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    this.#carry = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    if (this.#carry.indexOf(10) < 0 && this.#carry.length > MAX_FILE_LINE_BYTES) {
      throw new PrintosError(
        'FILE_INVALID',
        `Line ${this.#fileLine + 1} of ${this.name} is longer than ${MAX_FILE_LINE_BYTES} bytes; this is not a G-code file.`,
      );
    }
  }

  #takeLine(end: number, consumed: number, into: JobLine[]): void {
    const text = this.#carry.toString('utf8', 0, end);
    this.#carry = this.#carry.subarray(consumed);
    this.#offset += consumed;
    this.#fileLine++;
    const command = stripLine(text, { parenComments: this.options.parenComments ?? false });
    if (command !== null) into.push({ command, fileLine: this.#fileLine, endOffset: this.#offset });
  }
}
