import type { Command } from 'commander';
import { matchProfiles } from '../printer/profiles.js';
import { listPorts, type PortInfo } from '../transport/ports.js';

export interface PortsOptions {
  json?: boolean;
  /** Also show ports whose USB id matches no profile (on-board UARTs, unknown adapters). */
  all?: boolean;
}

export interface PortCandidate extends PortInfo {
  profiles: { alias: string; name: string }[];
}

export interface PortsDeps {
  listPorts: () => Promise<PortInfo[]>;
  write: (text: string) => void;
}

const DEFAULT_DEPS: PortsDeps = {
  listPorts: () => listPorts(),
  write: (text) => process.stdout.write(text),
};

export function registerPorts(program: Command, deps: PortsDeps = DEFAULT_DEPS): void {
  program
    .command('ports')
    .description('list serial ports and the printer profiles their USB ids match')
    .option('--json', 'print a JSON array instead of a table')
    .option('--all', 'include ports that match no known printer')
    .action(async (options: PortsOptions) => {
      deps.write(renderPorts(await deps.listPorts(), options));
    });
}

/** The command's whole output for a port list. */
export function renderPorts(ports: PortInfo[], options: PortsOptions = {}): string {
  const all = ports.map(toCandidate);
  const shown = options.all ? all : all.filter((port) => port.profiles.length > 0);
  if (options.json) return `${JSON.stringify(shown, null, 2)}\n`;
  if (shown.length === 0) return emptyHint(all.length);
  const hidden = all.length - shown.length;
  const footer =
    hidden > 0
      ? `(${hidden} other serial port${hidden > 1 ? 's' : ''} hidden; --all shows them)\n`
      : '';
  return table([HEADER, ...shown.map(toRow)]) + footer;
}

function toCandidate(port: PortInfo): PortCandidate {
  const profiles = matchProfiles(port.vid, port.pid).map(({ alias, name }) => ({ alias, name }));
  return { ...port, profiles };
}

const HEADER = ['PATH', 'VID:PID', 'SERIAL', 'DEVICE', 'PROFILE'];

function toRow(port: PortCandidate): string[] {
  const ids = port.vid && port.pid ? `${port.vid}:${port.pid}` : '-';
  const device = [port.manufacturer, port.product].filter(Boolean).join(' ') || '-';
  return [port.path, ids, port.serialNumber ?? '-', device, profileLabel(port.profiles)];
}

/** Several matches are the user's (or the cloud's) choice, never ours (protocol doc §4.4). */
function profileLabel(profiles: PortCandidate['profiles']): string {
  if (profiles.length === 0) return 'unknown';
  if (profiles.length === 1) return profiles[0]?.name ?? 'unknown';
  return `several, choose one: ${profiles.map((p) => p.name).join(' | ')}`;
}

function table(rows: string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return `${rows.map(line).join('\n')}\n`;
}

function emptyHint(found: number): string {
  const among = found === 1 ? 'the serial port found' : `the ${found} serial ports found`;
  const headline =
    found === 0
      ? 'No serial ports found.'
      : `No known printer among ${among}; \`printos ports --all\` lists them all.`;
  return [
    headline,
    'Check that the printer is switched on and plugged in with a data USB cable (charge-only cables have no data lines).',
    'On Linux, opening a port needs the dialout group: sudo usermod -aG dialout $USER, then log out and in again.',
    '',
  ].join('\n');
}
