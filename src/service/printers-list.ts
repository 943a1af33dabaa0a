/**
 * The configured printers, kept in printers.json so that the list is the same whether
 * or not the service runs. Each entry carries the identity sent in printer_login
 * (protocol doc §4.2): the USB ids of its port, or for a port without them (a pty, an
 * on-board UART) a pseudo identity whose serial number is drawn once and kept here, so
 * the cloud sees the same printer after every restart.
 */
import { randomBytes } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { printerSettingsSchema } from '../config/printer-settings.js';
import { PrintosError } from '../core/errors.js';
import { readJsonFile, writeFileAtomic } from '../core/files.js';
import { printerIdSchema } from '../streamer-api/index.js';
import type { PortInfo } from '../transport/ports.js';

export const STANDARD_BAUD_RATES = [
  2400, 9600, 19_200, 38_400, 57_600, 115_200, 230_400, 250_000, 460_800, 500_000, 921_600,
  1_000_000,
] as const;

const baud = z
  .number()
  .int()
  .refine((n) => (STANDARD_BAUD_RATES as readonly number[]).includes(n), {
    message: `must be one of ${STANDARD_BAUD_RATES.join(', ')}`,
  });

/** Names reach terminals and pages: no control characters (escape sequences). */
const name = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .refine((text) => !/\p{Cc}/u.test(text), 'must not contain control characters');

const identitySchema = z.strictObject({
  VID: printerIdSchema.shape.VID,
  PID: printerIdSchema.shape.PID,
  SNR: printerIdSchema.shape.SNR,
});
export type PrinterIdentity = z.infer<typeof identitySchema>;

/**
 * Per-printer overrides: only the keys a user set, so the defaults of
 * printer-settings.ts keep applying to the rest. (`.partial()` would fill in the defaults.)
 */
export type PrinterOverrides = Partial<z.infer<typeof printerSettingsSchema>>;
const printerOverridesSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(printerSettingsSchema.shape).map(([key, field]) => [
      key,
      field.removeDefault().optional(),
    ]),
  ),
) as unknown as z.ZodType<PrinterOverrides>;

const PRINTER_ID = /^p-[0-9a-f]{6}$/;

const entrySchema = z.strictObject({
  id: z.string().regex(PRINTER_ID, 'must look like p-3f9a2c'),
  port: z.string().min(1),
  baud: baud.optional(),
  name: name.optional(),
  identity: identitySchema,
  settings: printerOverridesSchema.optional(),
  virtual: z.boolean().optional(),
});
export type PrinterEntry = z.infer<typeof entrySchema>;

const fileSchema = z.strictObject({
  version: z.literal(1),
  printers: z.array(entrySchema),
});

export interface AddPrinterInput {
  port: string;
  baud?: number;
  name?: string;
  virtual?: boolean;
}

export interface PrintersDeps {
  /** The port's USB description, or undefined when it has none (listPorts; see portLookup). */
  lookupPort: (path: string) => Promise<PortInfo | undefined>;
}

export async function loadPrinters(path: string): Promise<PrinterEntry[]> {
  const content = await readJsonFile(path);
  if (content === undefined) return [];
  const result = fileSchema.safeParse(content);
  if (result.success) return result.data.printers;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new PrintosError(
    'CONFIG_INVALID',
    `Invalid printers list in ${path}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    { problems },
  );
}

async function savePrinters(path: string, printers: PrinterEntry[]): Promise<void> {
  const content = fileSchema.parse({ version: 1, printers });
  await writeFileAtomic(path, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
}

/** Adds a printer on `input.port`; a port already listed (under any of its names) is a CONFLICT. */
export async function addPrinter(
  path: string,
  input: AddPrinterInput,
  deps: PrintersDeps,
): Promise<PrinterEntry> {
  const checked = parseAddInput(input);
  await checkPortPath(checked.port);
  const printers = await loadPrinters(path);
  const duplicate = await findSamePort(printers, checked.port);
  if (duplicate) {
    throw new PrintosError(
      'CONFLICT',
      `${checked.port} is already configured as printer ${duplicate.id}`,
      { id: duplicate.id },
    );
  }
  const entry: PrinterEntry = {
    id: newPrinterId(printers),
    port: checked.port,
    ...(checked.baud === undefined ? {} : { baud: checked.baud }),
    ...(checked.name === undefined ? {} : { name: checked.name }),
    identity: identityFor(checked.port, await deps.lookupPort(checked.port)),
    ...(checked.virtual ? { virtual: true } : {}),
  };
  await savePrinters(path, [...printers, entry]);
  return entry;
}

/** Removes a printer and returns its entry; an unknown id is NOT_FOUND. */
export async function removePrinter(path: string, id: string): Promise<PrinterEntry> {
  const printers = await loadPrinters(path);
  const entry = findPrinter(printers, id);
  await savePrinters(
    path,
    printers.filter((printer) => printer !== entry),
  );
  return entry;
}

export interface PrinterPatch {
  /** null removes the name. */
  name?: string | null;
  /** null removes the baud rate (probed at connect). */
  baud?: number | null;
  /** Replaces the overrides; null or {} removes them. */
  settings?: PrinterOverrides | null;
}

const patchSchema = z.strictObject({
  name: name.nullable().optional(),
  baud: baud.nullable().optional(),
  settings: printerOverridesSchema.nullable().optional(),
});

/** Changes a printer's name, baud rate or settings; its id, port and identity stay. */
export async function updatePrinter(
  path: string,
  id: string,
  patch: PrinterPatch,
): Promise<PrinterEntry> {
  const checked = validateInput(patchSchema, patch, 'printer change');
  const printers = await loadPrinters(path);
  const entry = findPrinter(printers, id);
  const updated: PrinterEntry = { ...entry };
  applyField(updated, 'name', checked.name);
  applyField(updated, 'baud', checked.baud);
  const settings = checked.settings;
  applyField(updated, 'settings', settings && Object.keys(settings).length === 0 ? null : settings);
  await savePrinters(
    path,
    printers.map((printer) => (printer === entry ? updated : printer)),
  );
  return updated;
}

function applyField<K extends 'name' | 'baud' | 'settings'>(
  entry: PrinterEntry,
  key: K,
  value: PrinterEntry[K] | null | undefined,
): void {
  if (value === undefined) return;
  if (value === null) delete entry[key];
  else entry[key] = value;
}

function findPrinter(printers: PrinterEntry[], id: string): PrinterEntry {
  const entry = printers.find((printer) => printer.id === id);
  if (entry) return entry;
  const known = printers.map((printer) => printer.id).join(', ') || 'none';
  throw new PrintosError('NOT_FOUND', `No printer "${id}" (configured: ${known})`, { id });
}

const addInputSchema = z.strictObject({
  port: z
    .string()
    .trim()
    .min(1, 'the port must not be empty')
    .refine((port) => !port.includes('\0'), 'the port must not contain NUL'),
  baud: baud.optional(),
  name: name.optional(),
  virtual: z.boolean().optional(),
});

function parseAddInput(input: AddPrinterInput): z.infer<typeof addInputSchema> {
  return validateInput(addInputSchema, input, 'printer');
}

function validateInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new PrintosError('INVALID_ARGUMENT', `Invalid ${what}: ${problems.join('; ')}`, {
    problems,
  });
}

/** A port is a device node under /dev/, or another path that exists (a pty link, a socat end). */
async function checkPortPath(port: string): Promise<void> {
  if (process.platform === 'win32' && /^COM\d+$/i.test(port)) return;
  if (!isAbsolute(port)) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `The port must be an absolute path such as /dev/ttyUSB0, got "${port}"`,
    );
  }
  if (port.startsWith('/dev/')) return;
  const exists = await stat(port).then(
    () => true,
    () => false,
  );
  if (!exists) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `${port} does not exist (see \`printos ports\` for the serial ports found)`,
    );
  }
}

async function findSamePort(
  printers: PrinterEntry[],
  port: string,
): Promise<PrinterEntry | undefined> {
  const target = await canonical(port);
  for (const printer of printers) {
    if (printer.port === port || (await canonical(printer.port)) === target) return printer;
  }
  return undefined;
}

/** The path with its links resolved (/dev/serial/by-id/… → /dev/ttyACM0), or as given when absent. */
async function canonical(port: string): Promise<string> {
  return realpath(port).catch(() => port);
}

function newPrinterId(printers: PrinterEntry[]): string {
  const taken = new Set(printers.map((printer) => printer.id));
  for (;;) {
    const id = `p-${randomBytes(3).toString('hex')}`;
    if (!taken.has(id)) return id;
  }
}

/** On-board UARTs: the original client's GPIO UART pseudo printer (UART:0PIN). */
const UART_PORT = /^\/dev\/(?:ttyAMA\d+|ttyS\d+|serial\d+)$/;

/**
 * The identity sent in printer_login: the USB ids of the port, or a pseudo identity
 * (UART:0PIN for on-board UARTs, TTYS:0PTY otherwise) with a random serial number.
 */
export function identityFor(port: string, info: PortInfo | undefined): PrinterIdentity {
  if (info?.vid && info.pid) {
    return { VID: info.vid, PID: info.pid, SNR: info.serialNumber ?? '' };
  }
  const snr = randomBytes(8).toString('hex').toUpperCase();
  return UART_PORT.test(port)
    ? { VID: 'UART', PID: '0PIN', SNR: snr }
    : { VID: 'TTYS', PID: '0PTY', SNR: snr };
}

/**
 * A lookupPort over a port lister: finds the port by path, following links on both
 * sides, so a /dev/serial/by-id/… path gets the USB ids of the tty it points to.
 */
export function portLookup(
  listPorts: () => Promise<PortInfo[]>,
): (path: string) => Promise<PortInfo | undefined> {
  return async (path) => {
    const target = await canonical(path);
    for (const port of await listPorts()) {
      if (port.path === path || (await canonical(port.path)) === target) return port;
    }
    return undefined;
  };
}
