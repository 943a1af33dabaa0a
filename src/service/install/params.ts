/**
 * What `printos service install|uninstall` is asked to do, validated at the edge: the
 * values end up in a systemd unit and in argv of useradd/chown/rm, so only plain absolute
 * paths and plain user names pass (no spaces, quotes, `%` specifiers, `$`, `..`).
 */
import { isAbsolute, normalize } from 'node:path';
import { z } from 'zod';
import { PrintosError } from '../../core/errors.js';

export const SERVICE_NAME = 'printos.service';

export const DEFAULTS = {
  user: 'printos',
  prefix: '/opt/printos',
  dataDir: '/var/lib/printos',
  unitDir: '/etc/systemd/system',
} as const;

/**
 * Groups the unit adds: serial ports. Not `shadow`: OS account passwords are checked by the
 * root PAM helper (pam-helper.ts), so the service never reads password hashes.
 */
export const SERVICE_GROUPS = ['dialout'] as const;

/**
 * What an install prefix may hold (src/update/layout.ts): the versions, the `current` and
 * `stable` links,
 * and the updater's state file. Anything else means the folder is not ours.
 */
export const PREFIX_ENTRIES: readonly string[] = [
  'versions',
  'current',
  'stable',
  'update-state.json',
];

/** Directories the unit hides from the service (ProtectHome=yes, PrivateTmp=yes). */
export const HIDDEN_FROM_SERVICE = ['/home', '/root', '/run/user', '/tmp', '/var/tmp'] as const;

const USER_NAME = /^[a-z_][a-z0-9_-]{0,30}$/;
/** Characters safe in a unit file and in argv without quoting. */
const SAFE_PATH = /^\/[A-Za-z0-9._+@:/-]*$/;

function absolutePath(what: string, minDepth: number) {
  return z.string().superRefine((value, ctx) => {
    const problem = pathProblem(value, minDepth);
    if (problem) ctx.addIssue({ code: 'custom', message: `${what} ${problem}` });
  });
}

function pathProblem(value: string, minDepth: number): string | undefined {
  if (!isAbsolute(value)) return 'must be an absolute path';
  if (!SAFE_PATH.test(value)) {
    return 'may hold only letters, digits and . _ + @ : - / (no spaces, quotes or %)';
  }
  const clean = value.length > 1 ? value.replace(/\/+$/, '') : value;
  if (normalize(clean) !== clean) return 'must be a plain path (no //, . or ..)';
  if (clean.split('/').filter(Boolean).length < minDepth) {
    return `must be at least ${minDepth} levels deep (e.g. /opt/printos)`;
  }
  return undefined;
}

const userName = z
  .string()
  .regex(USER_NAME, '--user must be a user name: lower-case letters, digits, _ and -, at most 31')
  .refine((name) => name !== 'root', '--user root: the service must not run as root');

export const installParamsSchema = z.strictObject({
  user: userName.default(DEFAULTS.user),
  prefix: absolutePath('--prefix', 2).default(DEFAULTS.prefix),
  dataDir: absolutePath('--data-dir', 2).default(DEFAULTS.dataDir),
  unitDir: absolutePath('--unit-dir', 1).default(DEFAULTS.unitDir),
  /** The package root to install; the running one when not given. */
  source: absolutePath('--source', 1).optional(),
  /** Build and set up the root PAM helper (false: --no-pam-helper). */
  pamHelper: z.boolean().default(true),
  noStart: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

export const uninstallParamsSchema = z.strictObject({
  user: userName.optional(),
  prefix: absolutePath('--prefix', 2).optional(),
  dataDir: absolutePath('--data-dir', 2).optional(),
  unitDir: absolutePath('--unit-dir', 1).default(DEFAULTS.unitDir),
  purge: z.boolean().default(false),
  dryRun: z.boolean().default(false),
});

export type InstallParams = z.infer<typeof installParamsSchema>;
export type UninstallParams = z.infer<typeof uninstallParamsSchema>;

/** Strips trailing slashes so that paths compare and join predictably. */
function tidy<T extends Record<string, unknown>>(params: T, keys: (keyof T)[]): T {
  const out = { ...params };
  for (const key of keys) {
    const value = out[key];
    if (typeof value === 'string' && value.length > 1) {
      out[key] = value.replace(/\/+$/, '') as T[keyof T];
    }
  }
  return out;
}

function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  // Every message names its option (--user, --prefix, …): see the refinements above.
  throw new PrintosError('INVALID_ARGUMENT', parsed.error.issues[0]?.message ?? 'invalid options');
}

export function parseInstallParams(input: unknown): InstallParams {
  const params = parseOrThrow(installParamsSchema, input);
  return tidy(params, ['prefix', 'dataDir', 'unitDir', 'source']);
}

export function parseUninstallParams(input: unknown): UninstallParams {
  const params = parseOrThrow(uninstallParamsSchema, input);
  return tidy(params, ['prefix', 'dataDir', 'unitDir']);
}

/** True when `path` is `dir` or lies below it. */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}

/** The hidden directory `path` lies in, if any. */
export function hiddenFromService(path: string): string | undefined {
  return HIDDEN_FROM_SERVICE.find((dir) => isWithin(path, dir));
}
