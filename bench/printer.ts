/**
 * One virtual printer per run: started with the regime's options and a record
 * file, stopped with SIGTERM once the host has exited, then its record (what
 * it executed) and its --stats counters are read back.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { virtualPrinterCommand } from './hosts.js';
import { type Finished, type Measurement, startService } from './processes.js';

const statsSchema = z.object({
  bytesReceived: z.number(),
  linesReceived: z.number(),
  commandsExecuted: z.number(),
  errors: z.number(),
  resendsRequested: z.number(),
  rxBytesDropped: z.number(),
  rxBytesFlushed: z.number(),
  plannerUnderruns: z.number(),
  plannerStarvedMs: z.number(),
  resets: z.number(),
  faultsInjected: z.record(z.string(), z.number()),
});
export type PrinterStats = z.infer<typeof statsSchema>;

export interface PrinterRun {
  path: string;
  /** The printer process (measure.py wrote it before the printer printed its path). */
  pid: number | null;
  /** Stops the printer and returns what it recorded. */
  stop(): Promise<PrinterOutcome>;
}

export interface PrinterOutcome {
  record: string;
  stats: PrinterStats | null;
  measurement: Measurement | null;
  stderr: string;
}

const STARTUP_S = 60;
const STOP_GRACE_S = 60;

export async function startPrinter(
  printerArgs: string[],
  dir: string,
  label: string,
): Promise<PrinterRun> {
  const record = join(dir, `${label}.record.tsv`);
  const paths = {
    result: join(dir, `${label}.printer.json`),
    log: join(dir, `${label}.printer.log`),
    pid: join(dir, `${label}.printer.pid`),
  };
  const service = await startService(virtualPrinterCommand(printerArgs, record), paths, STARTUP_S);
  const path = parsePath(service.firstLine);
  const pid = Number(await readFile(paths.pid, 'utf8').catch(() => ''));
  return {
    path,
    pid: pid > 0 ? pid : null,
    async stop() {
      const finished = await service.stop(STOP_GRACE_S);
      return {
        record: await readFile(record, 'latin1').catch(() => ''),
        stats: lastStats(finished),
        measurement: finished.measurement,
        stderr: finished.stderr,
      };
    },
  };
}

function parsePath(line: string): string {
  const parsed = z.object({ path: z.string() }).safeParse(JSON.parse(line));
  if (!parsed.success) throw new Error(`virtual printer printed ${line}, not {"path": …}`);
  return parsed.data.path;
}

/** --stats writes one JSON object on stderr at exit; other stderr lines are messages. */
function lastStats(finished: Finished): PrinterStats | null {
  const lines = finished.stderr.split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = statsSchema.safeParse(JSON.parse(line));
      if (parsed.success) return parsed.data;
    } catch {
      // a log line that happens to start with {; keep looking
    }
  }
  return null;
}
