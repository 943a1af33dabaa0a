import type { Command } from 'commander';
import { DATA_DIR_ENV, DEFAULT_DATA_DIR_NAME } from '../service/data-dir.js';

/** Adds `--data-dir DIR` (the client's data directory) to a command; returns the command. */
export function addDataDirOption(command: Command): Command {
  return command.option(
    '--data-dir <dir>',
    `the data directory (default: $${DATA_DIR_ENV} when set, else ~/${DEFAULT_DATA_DIR_NAME})`,
  );
}
