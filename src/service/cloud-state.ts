/**
 * What the cloud told us about each printer (its cloud name, connection id), kept per
 * printer id. An account switch or an unlink (codes 7, 9) drops it: the printer then
 * registers anew, as the seed says printers must be set up again under a new account.
 */
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../core/files.js';

const entrySchema = z.object({
  name: z.string().max(255).optional(),
  connId: z.string().max(64).optional(),
});
const fileSchema = z.record(z.string(), entrySchema);
export type PrinterCloudEntry = z.infer<typeof entrySchema>;

export class PrinterCloudStateFile {
  readonly #path: string;
  /** The file's content as last read or written; the service is its only writer, so
   * changes start from it rather than from another read of the file. */
  #cache: Record<string, PrinterCloudEntry> = {};

  constructor(path: string) {
    this.#path = path;
  }

  async load(): Promise<void> {
    this.#cache = await this.all();
  }

  /** What the cloud said about this printer (after load()). */
  get(id: string): PrinterCloudEntry | undefined {
    return this.#cache[id];
  }

  async all(): Promise<Record<string, PrinterCloudEntry>> {
    const parsed = fileSchema.safeParse((await readJsonFile(this.#path)) ?? {});
    return parsed.success ? parsed.data : {};
  }

  async set(id: string, entry: PrinterCloudEntry): Promise<void> {
    await this.#write({ ...this.#cache, [id]: { ...this.#cache[id], ...entry } });
  }

  /** Forgets one printer's state, or every printer's. */
  async forget(id?: string): Promise<void> {
    const rest = { ...this.#cache };
    if (id !== undefined) delete rest[id];
    await this.#write(id === undefined ? {} : rest);
  }

  async #write(all: Record<string, PrinterCloudEntry>): Promise<void> {
    this.#cache = all;
    await writeFileAtomic(this.#path, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  }
}
