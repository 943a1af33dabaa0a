/**
 * The printos entry point. `printos start --supervised` (what the systemd unit runs) goes
 * straight to the supervisor, which lives as long as the service and so loads no CLI
 * framework, schema library or logger; every other command goes to the CLI program.
 */
import { reportCliError } from './cli/handle-error.js';

async function run(argv: string[]): Promise<number> {
  if (argv[2] === 'start') {
    const lean = await import('./update/supervisor-main.js');
    if (lean.wantsSupervisor(argv)) return lean.runSupervisor(argv).catch(reportCliError);
  }
  return (await import('./cli/program.js')).main(argv);
}

process.exitCode = await run(process.argv);
