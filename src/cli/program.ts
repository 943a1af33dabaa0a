/** The CLI program (commander): the commands of cli/, each loaded only when it runs. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { reportCliError } from './handle-error.js';

/** The installed package's version (a release may carry another than the checkout's). */
function packageVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const { version } = JSON.parse(text) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

type Register = (program: Command) => void;

/**
 * Each command's module, loaded only when needed: `printos print` must not pay for
 * zod schemas, the web server or SQLite that other commands use (start-up CPU is
 * measured by the benchmark). Help and unknown commands load them all.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  start: async () => (await import('./start.js')).registerStart,
  login: async () => (await import('./login.js')).registerLogin,
  logout: async () => (await import('./logout.js')).registerLogout,
  status: async () => (await import('./status.js')).registerStatus,
  printers: async () => (await import('./printers.js')).registerPrinters,
  config: async () => (await import('./config.js')).registerConfig,
  cloud: async () => (await import('./cloud.js')).registerCloud,
  print: async () => (await import('./print.js')).registerPrint,
  logs: async () => (await import('./logs.js')).registerLogs,
  ports: async () => (await import('./ports.js')).registerPorts,
  update: async () => (await import('./update.js')).registerUpdate,
  service: async () => (await import('./service.js')).registerService,
  'virtual-printer': async () => (await import('./virtual-printer.js')).registerVirtualPrinter,
  release: async () => (await import('./release.js')).registerRelease,
};

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('printos')
    .description('printos: a 3D printer host (an open 3DPrinterOS Client)')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();
  const name = argv[2];
  const only = name !== undefined ? COMMANDS[name] : undefined;
  const loaders = only ? [only] : Object.values(COMMANDS);
  for (const register of await Promise.all(loaders.map((load) => load()))) register(program);
  // The program's options (--version, --help) only before a command: `printos release
  // --version 1.2.3` is release's option. Set after registering, so that commands do not
  // inherit it (a parent's --data-dir stays valid after its subcommand: `cloud user add
  // a@b --data-dir x`).
  program.enablePositionalOptions();
  return program;
}

/** Parses argv and runs the command; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportCliError(err);
  }
}
