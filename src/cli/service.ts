/**
 * `printos service install|uninstall|status`: sets printos up as a systemd service on this
 * machine (docs/service.md). Options are parsed here; the work is in service/install/.
 */
import type { Command } from 'commander';
import { installService, serviceStatus, uninstallService } from '../service/install/commands.js';
import { DEFAULTS } from '../service/install/params.js';

interface InstallOptions {
  user?: string;
  prefix?: string;
  dataDir?: string;
  unitDir?: string;
  source?: string;
  start: boolean;
  pamHelper: boolean;
  dryRun?: boolean;
}

interface UninstallOptions {
  user?: string;
  prefix?: string;
  dataDir?: string;
  unitDir?: string;
  purge?: boolean;
  dryRun?: boolean;
}

const write = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

export function registerService(program: Command): void {
  const service = program
    .command('service')
    .description('Run printos as a systemd service on this machine (needs root)');

  service
    .command('install')
    .description('Create the service user, copy this version, write and start the systemd unit')
    .option('--user <name>', `the account the service runs as (default ${DEFAULTS.user})`)
    .option('--prefix <dir>', `where versions are installed (default ${DEFAULTS.prefix})`)
    .option('--data-dir <dir>', `the service's data directory (default ${DEFAULTS.dataDir})`)
    .option('--unit-dir <dir>', `where the unit is written (default ${DEFAULTS.unitDir})`)
    .option('--source <dir>', 'the package root to install (default: the running one)')
    .option('--no-start', 'install, but neither enable nor start the service')
    .option(
      '--no-pam-helper',
      'do not build the root PAM helper (needs gcc, libpam0g-dev): remote users then sign in with the linked cloud account only',
    )
    .option('--dry-run', 'print every step without changing anything')
    .action(async (opts: InstallOptions) => {
      await installService(
        {
          user: opts.user,
          prefix: opts.prefix,
          dataDir: opts.dataDir,
          unitDir: opts.unitDir,
          source: opts.source,
          noStart: !opts.start,
          pamHelper: opts.pamHelper,
          dryRun: opts.dryRun === true,
        },
        { write },
      );
    });

  service
    .command('uninstall')
    .description('Stop and remove the service and the installed versions (data and user kept)')
    .option('--purge', 'also remove the data directory and the service user')
    .option('--user <name>', 'the service user (default: from the installed unit)')
    .option('--prefix <dir>', 'the install prefix (default: from the installed unit)')
    .option('--data-dir <dir>', 'the data directory (default: from the installed unit)')
    .option('--unit-dir <dir>', `where the unit is (default ${DEFAULTS.unitDir})`)
    .option('--dry-run', 'print every step without changing anything')
    .action(async (opts: UninstallOptions) => {
      await uninstallService(
        {
          user: opts.user,
          prefix: opts.prefix,
          dataDir: opts.dataDir,
          unitDir: opts.unitDir,
          purge: opts.purge === true,
          dryRun: opts.dryRun === true,
        },
        { write },
      );
    });

  service
    .command('status')
    .description('Where the service is installed, which version runs, and whether it is active')
    .option('--unit-dir <dir>', `where the unit is (default ${DEFAULTS.unitDir})`)
    .action(async (opts: { unitDir?: string }) => {
      await serviceStatus({ unitDir: opts.unitDir }, { write });
    });
}
