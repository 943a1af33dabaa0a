/**
 * The client's data directory: settings, the printers list, secrets, downloads, the
 * embedded cloud's data and logs, all under one root that only its owner can enter.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ensureDir } from '../core/files.js';
import { PrintosError } from '../core/errors.js';

export const DATA_DIR_ENV = 'PRINTOS_HOME';
export const DEFAULT_DATA_DIR_NAME = '.printos';

export interface DataPaths {
  root: string;
  /** Client settings (src/config/settings.ts). */
  settings: string;
  /** The configured printers (printers-list.ts). */
  printers: string;
  /** Autologin: the email and password digest, mode 0600. */
  credentials: string;
  /** The linked account's email and password verifier, mode 0600. */
  account: string;
  /** The local API's bearer token, mode 0600. */
  apiToken: string;
  /** The random host id used when no serial number or MAC can be read (identity.ts). */
  hostId: string;
  /** Job files downloaded from the cloud. */
  downloads: string;
  /** The embedded cloud's data directory (`printos cloud --data-dir` of it). */
  cloud: string;
  logs: string;
  /** The running service's pid and port. */
  pid: string;
}

export interface DataDirEnv {
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The data directory: `--data-dir`, else $PRINTOS_HOME, else ~/.printos; always absolute. */
export function resolveDataDir(option?: string, context: DataDirEnv = {}): string {
  const home = context.home ?? homedir();
  const fromEnv = (context.env ?? process.env)[DATA_DIR_ENV];
  const chosen = option ?? (fromEnv ? fromEnv : undefined);
  if (chosen === undefined) return join(home, DEFAULT_DATA_DIR_NAME);
  if (chosen.trim() === '' || chosen.includes('\0')) {
    const source = option === undefined ? `$${DATA_DIR_ENV}` : '--data-dir';
    throw new PrintosError('INVALID_ARGUMENT', `${source} must be a directory path`);
  }
  // `--data-dir=~/x` reaches us unexpanded: the shell expands ~ only at a word's start.
  const expanded = chosen === '~' || chosen.startsWith('~/') ? join(home, chosen.slice(1)) : chosen;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(process.cwd(), expanded);
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    settings: join(root, 'settings.json'),
    printers: join(root, 'printers.json'),
    credentials: join(root, 'credentials.json'),
    account: join(root, 'account.json'),
    apiToken: join(root, 'api-token'),
    hostId: join(root, 'host-id'),
    downloads: join(root, 'downloads'),
    cloud: join(root, 'cloud'),
    logs: join(root, 'logs'),
    pid: join(root, 'service.json'),
  };
}

/** Creates the root (mode 0700: it holds secrets) when missing. */
export async function ensureDataDir(paths: DataPaths): Promise<void> {
  await ensureDir(paths.root, 0o700);
}
