import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyRelease } from '../update/verify-release.js';
import { registerRelease } from './release.js';

let dir: string;
let out: string[];
let warnings: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-cli-release-'));
  out = [];
  warnings = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `printos …` through commander as main.ts does (with its --version). */
async function printos(...args: string[]): Promise<string> {
  const program = new Command('printos')
    .version('0.0.1')
    .enablePositionalOptions() // as main.ts builds it
    .exitOverride();
  registerRelease(program, {
    write: (text) => out.push(text),
    warn: (text) => warnings.push(text),
    defaultSource: async () => join(dir, 'pkg'),
  });
  await program.parseAsync(['node', 'printos', ...args]);
  return out.join('');
}

async function put(path: string, content = 'x'): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

async function packageRoot(publicKeyPem: string): Promise<string> {
  const root = join(dir, 'pkg');
  await put(join(root, 'package.json'), '{"name":"printos","version":"0.1.0"}\n');
  await put(
    join(root, 'package-lock.json'),
    JSON.stringify({ lockfileVersion: 3, packages: { '': {} } }),
  );
  await put(join(root, 'bin', 'printos.js'));
  await put(join(root, 'dist', 'main.js'));
  await put(join(root, 'release-key.pem'), publicKeyPem);
  return root;
}

describe('printos release keygen', () => {
  it('writes a private key only its owner can read and a public key, and never overwrites them', async () => {
    const keys = join(dir, 'keys');
    const text = await printos('release', 'keygen', '--out', keys);
    expect(text).toContain('keep it offline');
    expect(text).toContain('commit it as release-key.pem');
    expect((await stat(join(keys, 'release-private.pem'))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(keys, 'release-public.pem'), 'utf8')).toMatch(/BEGIN PUBLIC KEY/);
    const before = await readFile(join(keys, 'release-private.pem'), 'utf8');
    await expect(printos('release', 'keygen', '--out', keys)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('never overwrites'),
    });
    expect(await readFile(join(keys, 'release-private.pem'), 'utf8')).toBe(before);
  });
});

describe('printos release', () => {
  async function keygen(): Promise<{ key: string; publicKeyPem: string }> {
    await printos('release', 'keygen', '--out', join(dir, 'keys'));
    out = [];
    return {
      key: join(dir, 'keys', 'release-private.pem'),
      publicKeyPem: await readFile(join(dir, 'keys', 'release-public.pem'), 'utf8'),
    };
  }

  it('builds a signed release with the version and notes given (not the program --version)', async () => {
    const { key, publicKeyPem } = await keygen();
    await packageRoot(publicKeyPem);
    await put(join(dir, 'notes.md'), '  Faster prints.\n');
    const rel = join(dir, 'rel');
    const text = await printos(
      'release',
      '--key',
      key,
      '--out',
      rel,
      '--version',
      '0.3.0',
      '--notes-file',
      join(dir, 'notes.md'),
    );
    expect(text).toContain('Release printos 0.3.0');
    expect(text).toContain(join(rel, 'printos-0.3.0.tar.gz'));
    expect(text).toContain(join(rel, 'manifest.sig'));
    expect(warnings).toEqual([]);
    expect((await readdir(rel)).sort()).toEqual([
      'manifest.json',
      'manifest.sig',
      'printos-0.3.0.tar.gz',
    ]);
    const manifest = verifyRelease({
      manifestBytes: await readFile(join(rel, 'manifest.json')),
      signature: await readFile(join(rel, 'manifest.sig'), 'utf8'),
      publicKeyPem,
      currentVersion: '0.1.0',
    });
    expect(manifest).toMatchObject({ version: '0.3.0', notes: 'Faster prints.' });
  });

  it('warns when the key is not the one the release ships', async () => {
    const { key } = await keygen();
    await packageRoot('not the same key');
    await printos('release', '--key', key, '--out', join(dir, 'rel'), '--source', join(dir, 'pkg'));
    expect(warnings.join('')).toMatch(/is not the key of .*release-key\.pem/);
  });

  it.each([
    [['release', '--out', 'x'], /needs --key <file> and --out <dir>/],
    [['release', '--key', 'x'], /needs --key <file> and --out <dir>/],
    [['release', '--key', 'k', '--out', 'o', '--notes', 'a', '--notes-file', 'b'], /not both/],
    [
      ['release', '--key', 'k', '--out', 'o', '--notes-file', '/nonexistent/notes'],
      /Cannot read the notes file/,
    ],
  ])('refuses %j', async (args, message) => {
    await expect(printos(...args)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(message),
    });
  });

  it('refuses a key others can read', async () => {
    const { key, publicKeyPem } = await keygen();
    await packageRoot(publicKeyPem);
    await chmod(key, 0o644);
    await expect(printos('release', '--key', key, '--out', join(dir, 'rel'))).rejects.toThrow(
      /chmod 600/,
    );
  });
});
