/**
 * `printos release --key KEYFILE --out DIR`: builds a signed release of this printos (for
 * maintainers), and `printos release keygen --out DIR`: makes the Ed25519 key pair that
 * signs releases. The self-hosted cloud serves the result (`printos cloud release publish`).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { PrintosError } from '../core/errors.js';
import { ensureDir, writeFileAtomic } from '../core/files.js';
import { buildRelease, clientVersion, findPackageRoot } from '../update/build-release.js';
import { generateReleaseKeys, readPrivateKey } from '../update/signing.js';

export interface ReleaseCliOptions {
  key?: string;
  out?: string;
  version?: string;
  notes?: string;
  notesFile?: string;
  source?: string;
}

export interface ReleaseDeps {
  write: (text: string) => void;
  warn: (text: string) => void;
  /** The package root released when --source is not given: the running printos. */
  defaultSource: () => Promise<string>;
}

const processDeps = (): ReleaseDeps => ({
  write: (text) => process.stdout.write(text),
  warn: (text) => process.stderr.write(text),
  defaultSource: () => findPackageRoot(dirname(fileURLToPath(import.meta.url))),
});

export const KEY_FILES = { private: 'release-private.pem', public: 'release-public.pem' } as const;
/** Release notes are read whole; the manifest caps them far below this. */
const MAX_NOTES_FILE = 1024 * 1024;

export function registerRelease(program: Command, deps: ReleaseDeps = processDeps()): void {
  // main.ts enables positional options: `release --version <v>` is release's, not the
  // program's --version, and `release keygen --out` is keygen's.
  const release = program
    .command('release')
    .description('Build a signed release archive of printos (for maintainers)')
    .option('--key <file>', 'the Ed25519 private key that signs it (mode 0600)')
    .option('--out <dir>', 'where to write the archive, manifest.json and manifest.sig')
    .option('--version <version>', "the release's version (default: package.json's)")
    .option('--notes <text>', 'release notes, shown to users before they update')
    .option('--notes-file <file>', 'read the release notes from a file')
    .option('--source <dir>', 'the package root to release (default: this printos)')
    .enablePositionalOptions()
    .action((opts: ReleaseCliOptions) => runRelease(opts, deps));
  release
    .command('keygen')
    .description('Make a new key pair for signing releases')
    .requiredOption('--out <dir>', 'where to write release-private.pem and release-public.pem')
    .action((opts: { out: string }) => runKeygen(opts.out, deps));
}

export async function runRelease(opts: ReleaseCliOptions, deps: ReleaseDeps): Promise<void> {
  if (opts.key === undefined || opts.out === undefined) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      'printos release needs --key <file> and --out <dir> (printos release keygen --out <dir> makes a key pair).',
    );
  }
  const notes = await readNotes(opts);
  const sourceRoot = resolve(opts.source ?? (await deps.defaultSource()));
  const privateKeyPem = await readPrivateKey(opts.key);
  const version = opts.version ?? (await clientVersion(sourceRoot));
  deps.write(`Building printos ${version} from ${sourceRoot}…\n`);
  const built = await buildRelease({
    sourceRoot,
    privateKeyPem,
    outDir: opts.out,
    ...(opts.version !== undefined ? { version: opts.version } : {}),
    notes,
  });
  const { manifest, files } = built;
  const { platform, arch, nodeAbi } = manifest.target;
  deps.write(
    `Release printos ${manifest.version} for ${platform}/${arch} (Node module ABI ${nodeAbi}):\n` +
      `  ${files.archive}  ${megabytes(manifest.size)}, sha256 ${manifest.sha256}\n` +
      `  ${files.manifest}\n` +
      `  ${files.signature}\n` +
      `Publish it with: printos cloud release publish ${built.dir}\n`,
  );
  if (!built.signedWithShippedKey) {
    deps.warn(
      `printos: note: ${opts.key} is not the key of ${join(sourceRoot, 'release-key.pem')}: ` +
        'clients that install this release will trust only the key it ships for their next update ' +
        '(right when rotating keys, a mistake otherwise).\n',
    );
  }
}

export async function runKeygen(out: string, deps: ReleaseDeps): Promise<void> {
  const dir = resolve(out);
  const privatePath = join(dir, KEY_FILES.private);
  const publicPath = join(dir, KEY_FILES.public);
  for (const path of [privatePath, publicPath]) {
    if (existsSync(path)) {
      throw new PrintosError(
        'CONFLICT',
        `${path} already exists; printos never overwrites a release key (move it away first).`,
        { path },
      );
    }
  }
  await ensureDir(dir, 0o700);
  const keys = generateReleaseKeys();
  await writeFileAtomic(privatePath, keys.privateKeyPem, { mode: 0o600 });
  await writeFileAtomic(publicPath, keys.publicKeyPem, { mode: 0o644 });
  deps.write(
    'Made a new release key pair:\n' +
      `  ${privatePath}  PRIVATE: keep it offline; whoever holds it can ship code to every printer\n` +
      `  ${publicPath}   public: commit it as release-key.pem at the root of the printos repository\n` +
      `Sign releases with: printos release --key ${privatePath} --out <dir>\n`,
  );
}

async function readNotes(opts: ReleaseCliOptions): Promise<string> {
  if (opts.notes !== undefined && opts.notesFile !== undefined) {
    throw new PrintosError('INVALID_ARGUMENT', 'Give --notes or --notes-file, not both.');
  }
  if (opts.notesFile === undefined) return opts.notes ?? '';
  let text: string;
  try {
    text = await readFile(opts.notesFile, 'utf8');
  } catch (err) {
    throw new PrintosError(
      'INVALID_ARGUMENT',
      `Cannot read the notes file ${opts.notesFile}: ${err instanceof Error ? err.message : String(err)}.`,
    );
  }
  if (text.length > MAX_NOTES_FILE) {
    throw new PrintosError('INVALID_ARGUMENT', `${opts.notesFile} is too large for release notes.`);
  }
  return text.trim();
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
