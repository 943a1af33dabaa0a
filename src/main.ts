import { Command, CommanderError } from 'commander';
import { reportCliError } from './cli/handle-error.js';
import { registerPorts } from './cli/ports.js';
import { registerPrint } from './cli/print.js';
import { registerVirtualPrinter } from './cli/virtual-printer.js';

const VERSION = '0.1.0';

function buildProgram(): Command {
  const program = new Command('printos')
    .description('printos: a 3D printer host (an open 3DPrinterOS Client)')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();
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
