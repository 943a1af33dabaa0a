/** `printos config get|set|list`: the client's settings, validated by their schema. */
import type { Command } from 'commander';
import {
  formatSettingValue,
  getSetting,
  loadSettings,
  saveSettings,
  setSetting,
} from '../config/settings-file.js';
import { SETTING_FIELDS } from '../config/settings.js';
import { connectToService, type ServiceClient } from '../service/api-client.js';
import { dataPaths, ensureDataDir, resolveDataDir } from '../service/data-dir.js';
import { addDataDirOption } from './data-dir-option.js';

export interface ConfigDeps {
  write: (text: string) => void;
  /** The running service on a data directory, or null when none runs. */
  connectToService: (dataDir: string) => Promise<ServiceClient | null>;
}

const DEFAULT_DEPS: ConfigDeps = {
  write: (text) => process.stdout.write(text),
  connectToService,
};

interface DataDirOptions {
  dataDir?: string;
}

interface ListOptions extends DataDirOptions {
  json?: boolean;
}

export function registerConfig(program: Command, deps: ConfigDeps = DEFAULT_DEPS): void {
  const config = program
    .command('config')
    .description('show and change the client settings (cloud.url, local.port, …)');
  addDataDirOption(
    config.command('get').description('print the value of one setting').argument('<key>'),
  ).action((key: string, options: DataDirOptions) => configGet(key, options, deps));
  addDataDirOption(
    config
      .command('set')
      .description('change one setting (true/false, numbers, null, or text)')
      .argument('<key>')
      .argument('<value>'),
  ).action((key: string, value: string, options: DataDirOptions) =>
    configSet(key, value, options, deps),
  );
  addDataDirOption(
    config
      .command('list')
      .description('every setting with its value, default and meaning')
      .option('--json', 'print JSON'),
  ).action((options: ListOptions) => configList(options, deps));
}

export async function configGet(key: string, options: DataDirOptions, deps: ConfigDeps) {
  const settings = await loadSettings(dataPaths(resolveDataDir(options.dataDir)).settings);
  deps.write(`${formatSettingValue(getSetting(settings, key))}\n`);
}

export async function configSet(
  key: string,
  rawValue: string,
  options: DataDirOptions,
  deps: ConfigDeps,
) {
  const dataDir = resolveDataDir(options.dataDir);
  const paths = dataPaths(dataDir);
  const before = await loadSettings(paths.settings);
  const after = setSetting(before, key, rawValue);
  const [was, now] = [getSetting(before, key), getSetting(after, key)];
  if (JSON.stringify(was) === JSON.stringify(now)) {
    deps.write(`${key} is already ${formatSettingValue(now)}; nothing changed.\n`);
    return;
  }
  await ensureDataDir(paths);
  await saveSettings(paths.settings, after);
  deps.write(`${key}: ${formatSettingValue(was)} → ${formatSettingValue(now)}\n`);
  if (await deps.connectToService(dataDir)) {
    deps.write('The printos service is running: the change applies when it restarts.\n');
  }
}

export async function configList(options: ListOptions, deps: ConfigDeps) {
  const settings = await loadSettings(dataPaths(resolveDataDir(options.dataDir)).settings);
  const rows = SETTING_FIELDS.map((field) => ({
    key: field.key,
    value: getSetting(settings, field.key),
    default: field.defaultValue,
    description: field.description,
  }));
  if (options.json) {
    deps.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const lines = rows.flatMap((row) => {
    const changed = JSON.stringify(row.value) !== JSON.stringify(row.default);
    const suffix = changed ? `   (default: ${formatSettingValue(row.default)})` : '';
    return [`${row.key} = ${formatSettingValue(row.value)}${suffix}`, `    ${row.description}`];
  });
  deps.write(`${lines.join('\n')}\n`);
}
