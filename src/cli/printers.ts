/**
 * `printos printers add|list|remove`: the configured printers. The list lives in the
 * data directory, so these work whether or not the service runs; when it runs, it is
 * told to reload, and connects or disconnects the printer at once.
 */
import type { Command } from 'commander';
import { z } from 'zod';
import { JOB_ACTIVE_STATES, type PrinterState } from '../printer/states.js';
import { connectToService, type ServiceClient } from '../service/api-client.js';
import { dataPaths, ensureDataDir, resolveDataDir } from '../service/data-dir.js';
import {
  addPrinter,
  loadPrinters,
  type PrinterEntry,
  portLookup,
  removePrinter,
} from '../service/printers-list.js';
import { listPorts, type PortInfo } from '../transport/ports.js';
import { addDataDirOption } from './data-dir-option.js';
import { parseIntOption } from './handle-error.js';
import { confirm } from './prompt.js';

export interface PrintersCliDeps {
  write: (text: string) => void;
  /** Warnings (stderr): the command did its work, but something around it did not. */
  warn: (text: string) => void;
  connectToService: (dataDir: string) => Promise<ServiceClient | null>;
  lookupPort: (path: string) => Promise<PortInfo | undefined>;
  /** Resolves when confirmed (or `yes`); throws CONFIRMATION_REQUIRED otherwise. */
  confirm: (question: string, yes: boolean | undefined) => Promise<void>;
}

const DEFAULT_DEPS: PrintersCliDeps = {
  write: (text) => process.stdout.write(text),
  warn: (text) => process.stderr.write(text),
  connectToService,
  lookupPort: portLookup(() => listPorts()),
  confirm,
};

interface AddOptions {
  port: string;
  baud?: string;
  name?: string;
  dataDir?: string;
}

interface ListOptions {
  json?: boolean;
  dataDir?: string;
}

interface RemoveOptions {
  yes?: boolean;
  dataDir?: string;
}

export function registerPrinters(program: Command, deps: PrintersCliDeps = DEFAULT_DEPS): void {
  const printers = program
    .command('printers')
    .description('the printers the client connects to (kept in the data directory)');
  addDataDirOption(
    printers
      .command('add')
      .description('add a printer on a serial port')
      .requiredOption('--port <path>', 'its serial port, e.g. /dev/ttyUSB0 (see `printos ports`)')
      .option('--baud <rate>', 'baud rate; probed (250000, 115200, …) when not given')
      .option('--name <name>', 'a name to show (the cloud may set another)'),
  ).action((options: AddOptions) => printersAdd(options, deps));
  addDataDirOption(
    printers
      .command('list')
      .description('the configured printers, with their state when the service runs')
      .option('--json', 'print JSON'),
  ).action((options: ListOptions) => printersList(options, deps));
  addDataDirOption(
    printers
      .command('remove')
      .description('remove a printer (disconnects it when the service runs)')
      .argument('<id>', 'the printer id, as `printos printers list` shows it')
      .option('--yes', 'do not ask before interrupting a print'),
  ).action((id: string, options: RemoveOptions) => printersRemove(id, options, deps));
}

export async function printersAdd(options: AddOptions, deps: PrintersCliDeps): Promise<void> {
  const baud = options.baud === undefined ? undefined : parseIntOption('--baud', options.baud, 1);
  const dataDir = resolveDataDir(options.dataDir);
  const paths = dataPaths(dataDir);
  await ensureDataDir(paths);
  const entry = await addPrinter(
    paths.printers,
    {
      port: options.port,
      ...(baud === undefined ? {} : { baud }),
      ...(options.name === undefined ? {} : { name: options.name }),
    },
    { lookupPort: deps.lookupPort },
  );
  deps.write(`Added printer ${entry.id} on ${entry.port} (${describeIdentity(entry)}).\n`);
  await reloadService(dataDir, deps);
}

export async function printersList(options: ListOptions, deps: PrintersCliDeps): Promise<void> {
  const dataDir = resolveDataDir(options.dataDir);
  const entries = await loadPrinters(dataPaths(dataDir).printers);
  const live = await liveStates(dataDir, deps);
  const rows: ListRow[] = [
    ...entries.map((entry) => ({ ...entry, ...liveFields(live?.get(entry.id)) })),
    // Printers the service runs that are not in the file (its --virtual-printer).
    ...[...(live?.values() ?? [])]
      .filter((printer) => !entries.some((entry) => entry.id === printer.id))
      .map(serviceOnlyRow),
  ];
  if (options.json) {
    deps.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    deps.write(
      'No printers configured. Add one with: printos printers add --port PATH (see `printos ports`)\n',
    );
    return;
  }
  const header = ['ID', 'NAME', 'PORT', 'BAUD', 'VID:PID', 'SERIAL', ...(live ? ['STATE'] : [])];
  const cells = rows.map((row) => [
    row.id,
    row.name ?? '-',
    row.port,
    row.baud === undefined ? 'auto' : String(row.baud),
    row.identity ? `${row.identity.VID}:${row.identity.PID}` : '-',
    row.identity?.SNR || '-',
    ...(live ? [stateText(row)] : []),
  ]);
  deps.write(table([header, ...cells]));
}

interface ListRow {
  id: string;
  name?: string | undefined;
  port: string;
  baud?: number | undefined;
  identity?: { VID: string; PID: string; SNR: string } | undefined;
  state?: string;
  job?: { filename: string; percent: number } | null;
}

function serviceOnlyRow(printer: Live): ListRow {
  return {
    id: printer.id,
    name: printer.name,
    port: '(service only)',
    identity: printer.identity,
    ...liveFields(printer),
  };
}

export async function printersRemove(
  id: string,
  options: RemoveOptions,
  deps: PrintersCliDeps,
): Promise<void> {
  const dataDir = resolveDataDir(options.dataDir);
  const path = dataPaths(dataDir).printers;
  const entry = (await loadPrinters(path)).find((printer) => printer.id === id);
  const live = entry ? (await liveStates(dataDir, deps))?.get(id) : undefined;
  if (entry && live && JOB_ACTIVE_STATES.has(live.state as PrinterState)) {
    const job = live.job ? ` ${live.job.filename} (${live.job.percent.toFixed(0)}%)` : '';
    await deps.confirm(
      `Printer ${id} is printing${job}; removing it stops the print.`,
      options.yes,
    );
  }
  // removePrinter answers NOT_FOUND, listing the ids, for an unknown one.
  const removed = await removePrinter(path, id);
  deps.write(`Removed printer ${removed.id} (${removed.port}).\n`);
  await reloadService(dataDir, deps);
}

function describeIdentity(entry: PrinterEntry): string {
  const { VID, PID, SNR } = entry.identity;
  const pseudo = !/^[0-9A-F]{4}$/.test(VID);
  if (pseudo) return `no USB ids; identity ${VID}:${PID} serial ${SNR}, kept across restarts`;
  return `USB ${VID}:${PID}${SNR ? ` serial ${SNR}` : ', no serial number'}`;
}

async function reloadService(dataDir: string, deps: PrintersCliDeps): Promise<void> {
  const service = await deps.connectToService(dataDir).catch(() => null);
  if (!service) return;
  try {
    await service.request('POST', '/api/printers/reload');
    deps.write('The running service has taken the change up.\n');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.warn(
      `printos: warning: the running service did not reload its printers (${message}); the change applies when it restarts.\n`,
    );
  }
}

/** What the service's GET /api/printers tells of each printer (views.ts PrinterView). */
const liveSchema = z.array(
  z.looseObject({
    id: z.string(),
    name: z.string().optional(),
    identity: z.object({ VID: z.string(), PID: z.string(), SNR: z.string() }).optional(),
    state: z.string(),
    job: z.object({ filename: z.string(), percent: z.number() }).nullable().optional(),
  }),
);
type Live = z.infer<typeof liveSchema>[number];

/** The live state of each printer by id, or null when no service runs or it cannot tell. */
async function liveStates(
  dataDir: string,
  deps: PrintersCliDeps,
): Promise<Map<string, Live> | null> {
  try {
    const service = await deps.connectToService(dataDir);
    if (!service) return null;
    const answer = liveSchema.safeParse(await service.request('GET', '/api/printers'));
    if (answer.success) return new Map(answer.data.map((printer) => [printer.id, printer]));
    deps.warn('printos: warning: the running service gave an unexpected printers list.\n');
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    deps.warn(`printos: warning: cannot ask the running service for states: ${message}\n`);
  }
  return null;
}

function liveFields(live: Live | undefined): Pick<ListRow, 'state' | 'job'> {
  if (!live) return {};
  return { state: live.state, job: live.job ?? null };
}

function stateText(row: ListRow): string {
  if (!row.state) return '-';
  return row.job ? `${row.state} ${row.job.percent.toFixed(0)}%` : row.state;
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${rows.map(line).join('\n')}\n`;
}
