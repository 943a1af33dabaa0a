import { Command, CommanderError } from 'commander';
import { registerCloud } from './cli/cloud.js';
import { registerConfig } from './cli/config.js';
import { reportCliError } from './cli/handle-error.js';
import { registerLogin } from './cli/login.js';
import { registerLogout } from './cli/logout.js';
import { registerPorts } from './cli/ports.js';
import { registerPrint } from './cli/print.js';
import { registerPrinters } from './cli/printers.js';
import { registerStart } from './cli/start.js';
import { registerStatus } from './cli/status.js';
import { registerVirtualPrinter } from './cli/virtual-printer.js';

const VERSION = '0.1.0';

function buildProgram(): Command {
  const program = new Command('printos')
    .description('printos: a 3D printer host (an open 3DPrinterOS Client)')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
  registerStart(program);
  registerLogin(program);
  registerLogout(program);
  registerStatus(program);
  registerPrinters(program);
  registerConfig(program);
  registerCloud(program);
  registerPrint(program);
  registerPorts(program);
  registerVirtualPrinter(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportCliError(err);
  }
}

process.exitCode = await main(process.argv);
