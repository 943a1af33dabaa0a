/**
 * `printos login`: the console login for headless machines (the seed's console_login.py).
 * On a terminal it prompts; otherwise `--email` and the password on standard input.
 * A running service takes the account up at once; otherwise it is checked against the
 * cloud and kept for the next start.
 */
import type { Command } from 'commander';
import { PrintosError, toPrintosError } from '../core/errors.js';
import { connectToService, type ServiceClient } from '../service/api-client.js';
import { resolveDataDir } from '../service/data-dir.js';
import { passwordDigest } from '../streamer-api/index.js';
import { addDataDirOption } from './data-dir-option.js';
import { ask, askHidden, confirm, isInteractive, readStdinLine } from './prompt.js';

interface LoginOptions {
  email?: string;
  autologin: boolean;
  yes?: boolean;
  dataDir?: string;
}

export function registerLogin(program: Command): void {
  const command = program
    .command('login')
    .description('Link this client to a cloud account (console login for headless machines)')
    .option('--email <email>', 'the account email (asked on a terminal when missing)')
    .option('--no-autologin', 'do not keep the login for the next start')
    .option('-y, --yes', 'confirm switching from another account (it unlinks every printer)');
  addDataDirOption(command).action((opts: LoginOptions) => login(opts));
}

async function credentials(opts: LoginOptions): Promise<{ email: string; digest: string }> {
  const interactive = isInteractive();
  const email = opts.email ?? (interactive ? await ask('Email: ') : undefined);
  if (!email) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      'Give --email EMAIL (and the password on standard input) when not on a terminal.',
    );
  }
  const password = interactive ? await askHidden('Password: ') : await readStdinLine();
  if (password === '') throw new PrintosError('INVALID_ARGUMENT', 'The password is empty.');
  return { email: email.trim(), digest: passwordDigest(password) };
}

async function login(opts: LoginOptions): Promise<void> {
  const dataDir = resolveDataDir(opts.dataDir);
  const { email, digest } = await credentials(opts);
  const service = await connectToService(dataDir);
  const attempt = (confirmSwitch: boolean) =>
    service
      ? viaService(service, email, digest, opts.autologin, confirmSwitch)
      : import('../app-service.js').then((root) =>
          root.linkWithoutService(dataDir, email, digest, { confirmSwitch }),
        );
  let account: { email: string };
  try {
    account = await attempt(Boolean(opts.yes));
  } catch (err) {
    const error = toPrintosError(err);
    if (error.code !== 'CONFIRMATION_REQUIRED') throw error;
    await confirm(error.message, opts.yes);
    account = await attempt(true);
  }
  if (service) {
    process.stdout.write(`Linked to ${account.email}. The running service uses it now.\n`);
  } else {
    process.stdout.write(
      `Linked to ${account.email}. No service is running: it logs in with this account at the next \`printos start\`.\n`,
    );
  }
}

async function viaService(
  service: ServiceClient,
  email: string,
  digest: string,
  autologin: boolean,
  confirmSwitch: boolean,
): Promise<{ email: string }> {
  const answer = await service.request<{ account: { email: string } }>('POST', '/api/login', {
    email,
    passwordDigest: digest,
    autologin,
    confirmSwitch,
  });
  return answer.account;
}
