/**
 * `printos cloud …`: run the self-hosted cloud in the foreground, and administer its data
 * directory (accounts, the outbox of reset links, API tokens, releases, received logs) —
 * also while it runs, since its SQLite database is in WAL mode.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
// Types only: the server (fastify, SQLite) is loaded by the actions that need it, so that
// every other command starts without it.
import type { CloudServerOptions, SmtpOptions } from '../cloud-server/server.js';
import { PrintosError } from '../core/errors.js';
import { createLogger, type Logger, silentLogger } from '../core/log.js';
import { resolveDataDir } from '../service/data-dir.js';
import { parseIntOption } from './handle-error.js';
import { askHidden } from './prompt.js';

export interface CloudCliOptions {
  port?: string;
  host?: string;
  dataDir?: string;
  publicUrl?: string;
  smtpUrl?: string;
  mailFrom?: string;
  json?: boolean;
  account?: string;
}

export interface CloudIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

const processIo = (): CloudIo => ({
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

const MIN_PASSWORD = 8;
const DEFAULT_CLOUD_PORT = 8010;
const loadServer = () => import('../cloud-server/server.js');

export function registerCloud(program: Command): void {
  const cloud = program
    .command('cloud')
    .description('Run the self-hosted cloud (StreamerAPI, accounts, jobs) until Ctrl-C')
    .option('--port <n>', 'port to listen on', String(DEFAULT_CLOUD_PORT))
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', "the cloud's data directory (default $PRINTOS_HOME/cloud)")
    .option('--public-url <url>', 'base URL of links in mails and job downloads')
    .option(
      '--smtp-url <url>',
      'send mail through smtp[s]://user:pass@host:port (or $PRINTOS_SMTP_URL)',
    )
    .option('--mail-from <address>', 'sender of mails (or $PRINTOS_MAIL_FROM)')
    .action((opts: CloudCliOptions) => runCloud(opts, processIo()));
  // The parent owns --data-dir (commander gives it the option wherever it appears);
  // subcommands read it with optsWithGlobals().
  const user = cloud.command('user').description('Manage accounts of the cloud');
  user
    .command('add <email>')
    .description('Create an account; the password is read from standard input')
    .action((email: string, _opts: unknown, command: Command) =>
      runUserAdd(email, command.optsWithGlobals(), processIo()),
    );
  cloud
    .command('outbox')
    .description('List the mails in the outbox (password-reset links when SMTP is not set)')
    .option('--json', 'print JSON')
    .action((_opts: unknown, command: Command) =>
      runOutbox(command.optsWithGlobals(), processIo()),
    );
  cloud
    .command('token <email>')
    .description('Create an API token for an account (printed once)')
    .action((email: string, _opts: unknown, command: Command) =>
      runToken(email, command.optsWithGlobals(), processIo()),
    );
  registerRelease(cloud);
  cloud
    .command('logs')
    .description('List the log bundles clients sent (sendlogs), newest first')
    .option('--account <email>', "only this account's")
    .option('--json', 'print JSON')
    .action((_opts: unknown, command: Command) => runLogs(command.optsWithGlobals(), processIo()));
}

function registerRelease(cloud: Command): void {
  const release = cloud.command('release').description('Releases of the client this cloud serves');
  release
    .command('publish <dir>')
    .description(
      'Serve the release in DIR (manifest.json, manifest.sig, printos-<version>.tar.gz) as the latest if its version is the highest',
    )
    .action((dir: string, _opts: unknown, command: Command) =>
      runReleasePublish(dir, command.optsWithGlobals(), processIo()),
    );
  release
    .command('list')
    .description('List the published releases')
    .option('--json', 'print JSON')
    .action((_opts: unknown, command: Command) =>
      runReleaseList(command.optsWithGlobals(), processIo()),
    );
  release
    .command('withdraw <version>')
    .description('Stop offering a release as the latest (its files stay)')
    .action((version: string, _opts: unknown, command: Command) =>
      runReleaseWithdraw(version, command.optsWithGlobals(), processIo()),
    );
}

/** `--data-dir`, else <data dir of the client>/cloud: the embedded cloud's directory. */
export function cloudDataDir(opts: CloudCliOptions, env: NodeJS.ProcessEnv): string {
  if (opts.dataDir !== undefined) return resolveDataDir(opts.dataDir, { env });
  return join(resolveDataDir(undefined, { env }), 'cloud');
}

/** smtp://user:pass@host:port (smtps:// for TLS from the start). */
export function parseSmtpUrl(url: string, from: string | undefined): SmtpOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      '--smtp-url must look like smtp://user:pass@host:587',
    );
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    throw new PrintosError('INVALID_ARGUMENT', '--smtp-url must start with smtp:// or smtps://');
  }
  const secure = parsed.protocol === 'smtps:';
  const port = parsed.port ? Number(parsed.port) : secure ? 465 : 587;
  const smtp: SmtpOptions = {
    host: parsed.hostname,
    port,
    secure,
    from: from ?? `printos <printos@${parsed.hostname}>`,
  };
  if (parsed.username) smtp.user = decodeURIComponent(parsed.username);
  if (parsed.password) smtp.pass = decodeURIComponent(parsed.password);
  return smtp;
}

export function serverOptions(
  opts: CloudCliOptions,
  env: NodeJS.ProcessEnv,
  log: Logger,
): CloudServerOptions {
  const options: CloudServerOptions = {
    dataDir: cloudDataDir(opts, env),
    host: opts.host ?? '127.0.0.1',
    port: parseIntOption('--port', opts.port ?? String(DEFAULT_CLOUD_PORT), 0),
    log,
  };
  if (opts.publicUrl !== undefined) {
    if (!/^https?:\/\/[^/\s]+/.test(opts.publicUrl)) {
      throw new PrintosError('INVALID_ARGUMENT', '--public-url must be an http:// or https:// URL');
    }
    options.publicUrl = opts.publicUrl.replace(/\/+$/, '');
  }
  const smtpUrl = opts.smtpUrl ?? env.PRINTOS_SMTP_URL;
  if (smtpUrl) options.smtp = parseSmtpUrl(smtpUrl, opts.mailFrom ?? env.PRINTOS_MAIL_FROM);
  return options;
}

/** Runs the cloud until SIGINT or SIGTERM, then stops it cleanly. */
export async function runCloud(opts: CloudCliOptions, io: CloudIo): Promise<void> {
  const log = createLogger();
  const server = (await loadServer()).createCloudServer(serverOptions(opts, io.env, log));
  await server.start();
  io.stderr.write(`printos cloud: listening on ${server.url} (Ctrl-C stops it)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.stop();
  io.stderr.write('printos cloud: stopped\n');
}

/** The first line of a stream (a password piped in by a script). */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    if (text.includes('\n') || text.length > 4096) break;
  }
  return (text.split(/\r?\n/)[0] ?? '').replace(/\r$/, '');
}

export async function runUserAdd(email: string, opts: CloudCliOptions, io: CloudIo): Promise<void> {
  const password = io.stdin.isTTY ? await askHidden('Password: ') : await readFirstLine(io.stdin);
  if (password.length < MIN_PASSWORD) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      password === ''
        ? 'No password on standard input: pipe it in, e.g. `printf %s "$PASS" | printos cloud user add EMAIL`.'
        : `The password needs at least ${MIN_PASSWORD} characters.`,
    );
  }
  const dataDir = cloudDataDir(opts, io.env);
  await (await loadServer()).addUser(dataDir, email, password);
  io.stdout.write(`Account ${email.trim()} created in ${dataDir}.\n`);
}

export async function runOutbox(opts: CloudCliOptions, io: CloudIo): Promise<void> {
  const messages = (await loadServer()).listOutbox(cloudDataDir(opts, io.env));
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(messages, null, 2)}\n`);
    return;
  }
  if (messages.length === 0) {
    io.stdout.write('The outbox is empty.\n');
    return;
  }
  for (const m of messages) {
    io.stdout.write(`${m.time}  ${m.to}  ${m.subject}\n  ${m.link}\n`);
  }
}

export async function runToken(email: string, opts: CloudCliOptions, io: CloudIo): Promise<void> {
  io.stdout.write(
    `${await (await loadServer()).createApiToken(cloudDataDir(opts, io.env), email)}\n`,
  );
}

export async function runReleasePublish(
  dir: string,
  opts: CloudCliOptions,
  io: CloudIo,
): Promise<void> {
  const server = await loadServer();
  const dataDir = cloudDataDir(opts, io.env);
  const { outcome, release } = await server.publishReleaseIn(dataDir, resolve(dir), silentLogger());
  const what = `printos ${release.version} (${release.size} bytes)`;
  const done = {
    published: `Published ${what} in ${dataDir}.`,
    unchanged: `${what} is already published with these files; nothing changed.`,
    restored: `${what} was withdrawn; it is offered again.`,
  }[outcome];
  let latest = 'It is the latest release.';
  if (!release.latest) {
    const current = (await server.listReleasesIn(dataDir, silentLogger())).find((r) => r.latest);
    latest = `The latest release stays ${current?.version ?? 'none'} (a higher version).`;
  }
  io.stdout.write(`${done} ${latest}\n`);
}

export async function runReleaseList(opts: CloudCliOptions, io: CloudIo): Promise<void> {
  const releases = await (await loadServer()).listReleasesIn(
    cloudDataDir(opts, io.env),
    silentLogger(),
  );
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(releases, null, 2)}\n`);
    return;
  }
  if (releases.length === 0) {
    io.stdout.write('No release is published.\n');
    return;
  }
  const rows = releases.map((r) => [
    r.version,
    r.publishedAt.slice(0, 19).replace('T', ' '),
    String(r.size),
    r.latest ? 'latest' : r.withdrawnAt ? 'withdrawn' : '',
  ]);
  io.stdout.write(table([['VERSION', 'PUBLISHED (UTC)', 'BYTES', ''], ...rows]));
}

export async function runReleaseWithdraw(
  version: string,
  opts: CloudCliOptions,
  io: CloudIo,
): Promise<void> {
  const dataDir = cloudDataDir(opts, io.env);
  const server = await loadServer();
  const release = await server.withdrawReleaseIn(dataDir, version, silentLogger());
  const current = (await server.listReleasesIn(dataDir, silentLogger())).find((r) => r.latest);
  io.stdout.write(
    `printos ${release.version} is withdrawn (its files stay). The latest release is now ${current?.version ?? 'none'}.\n`,
  );
}

export async function runLogs(opts: CloudCliOptions, io: CloudIo): Promise<void> {
  const logs = await (await loadServer()).listReceivedLogsIn(
    cloudDataDir(opts, io.env),
    opts.account,
  );
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(logs, null, 2)}\n`);
    return;
  }
  if (logs.length === 0) {
    io.stdout.write('No logs were received.\n');
    return;
  }
  for (const l of logs) {
    const time = l.receivedAt.slice(0, 19).replace('T', ' ');
    io.stdout.write(
      `${time} UTC  ${l.account}  ${l.size} bytes  ${l.report || '(no report)'}\n  ${l.path}\n`,
    );
  }
}

/** Left-aligned columns, two spaces apart. */
function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map(
      (r) =>
        `${r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}
