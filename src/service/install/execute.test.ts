import {
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PrintosError } from '../../core/errors.js';
import { executeSteps } from './execute.js';
import { type CommandRunner, execFileRunner } from './runner.js';
import type { Step } from './steps.js';

let dir: string;
let out: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'printos-execute-'));
  out = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function deps(run: CommandRunner = execFileRunner, dryRun = false) {
  return { run, write: (line: string) => out.push(line), dryRun, copyChunk: 2 };
}

/** A runner that records and answers from a table (exit 0 when not listed). */
function recorder(codes: Record<string, number> = {}) {
  const calls: string[] = [];
  const run: CommandRunner = async (cmd, args) => {
    const line = [cmd, ...args].join(' ');
    calls.push(line);
    const code = codes[line] ?? 0;
    return { code, stdout: '', stderr: code ? 'it broke' : '' };
  };
  return { calls, run };
}

describe('executeSteps', () => {
  it('copies the listed files, with their folders, modes and symlinks, into place at once', async () => {
    const src = join(dir, 'src');
    await mkdir(join(src, 'bin'), { recursive: true });
    await mkdir(join(src, 'node_modules', 'a', 'lib'), { recursive: true });
    await writeFile(join(src, 'package.json'), '{}');
    await writeFile(join(src, 'bin', 'run.js'), '#!', { mode: 0o755 });
    await writeFile(join(src, 'node_modules', 'a', 'lib', 'x.js'), 'x');
    await writeFile(join(src, 'node_modules', 'a', 'unlisted.js'), 'no');
    await symlink('lib/x.js', join(src, 'node_modules', 'a', 'main.js'));
    const to = join(dir, 'versions', '1.0.0');
    await mkdir(join(dir, 'versions'));
    const entries = [
      'package.json',
      'bin/run.js',
      'node_modules/a/lib/x.js',
      'node_modules/a/main.js',
    ];
    await executeSteps([{ kind: 'copy', from: src, entries, to }], deps());

    expect(await readFile(join(to, 'node_modules', 'a', 'lib', 'x.js'), 'utf8')).toBe('x');
    expect(await readlink(join(to, 'node_modules', 'a', 'main.js'))).toBe('lib/x.js');
    expect((await stat(join(to, 'bin', 'run.js'))).mode & 0o777).toBe(0o755);
    await expect(lstat(join(to, 'node_modules', 'a', 'unlisted.js'))).rejects.toThrow();
    // No staging folder is left beside it.
    expect(await readdir(join(dir, 'versions'))).toEqual(['1.0.0']);
  });

  it('leaves nothing under the version name when the copy fails', async () => {
    await mkdir(join(dir, 'src'));
    await mkdir(join(dir, 'versions'));
    const to = join(dir, 'versions', '1.0.0');
    const step: Step = { kind: 'copy', from: join(dir, 'src'), entries: ['missing.json'], to };
    await expect(executeSteps([step], deps())).rejects.toThrow(
      /Step 1 of 1 failed \(copy missing.json.*cp failed/,
    );
    expect(await readdir(join(dir, 'versions'))).toEqual([]);
  });

  it('replaces a link atomically, and creates one', async () => {
    const path = join(dir, 'current');
    await executeSteps([{ kind: 'link', path, target: 'versions/1' }], deps());
    expect(await readlink(path)).toBe('versions/1');
    await executeSteps([{ kind: 'link', path, target: 'versions/2' }], deps());
    expect(await readlink(path)).toBe('versions/2');
    expect(await readdir(dir)).toEqual(['current']);
  });

  it('creates a directory with exactly its mode, and leaves an existing one alone', async () => {
    const path = join(dir, 'a', 'data');
    await executeSteps([{ kind: 'mkdir', path, mode: 0o750 }], deps());
    expect((await stat(path)).mode & 0o777).toBe(0o750);
    await executeSteps([{ kind: 'mkdir', path, mode: 0o700 }], deps());
    expect((await stat(path)).mode & 0o777).toBe(0o750);
    await writeFile(join(dir, 'file'), '');
    await expect(
      executeSteps([{ kind: 'mkdir', path: join(dir, 'file'), mode: 0o755 }], deps()),
    ).rejects.toThrow(/not a directory/);
  });

  it('writes files with their mode and removes trees', async () => {
    const path = join(dir, 'units', 'printos.service');
    await mkdir(join(dir, 'units'));
    await executeSteps([{ kind: 'write', path, content: '[Unit]\n', mode: 0o644 }], deps());
    expect((await stat(path)).mode & 0o777).toBe(0o644);
    await executeSteps([{ kind: 'remove', path: join(dir, 'units') }], deps());
    await expect(stat(join(dir, 'units'))).rejects.toThrow();
  });

  it('refuses to remove a top-level folder, whatever was planned', async () => {
    await expect(executeSteps([{ kind: 'remove', path: '/opt' }], deps())).rejects.toThrow(
      /refusing to remove \/opt/,
    );
  });

  it('runs commands in order, stops at the first failure, and says which step failed', async () => {
    const { calls, run } = recorder({ 'chown -R x:x /d': 1 });
    const steps: Step[] = [
      { kind: 'run', argv: ['useradd', 'x'], why: 'a' },
      { kind: 'run', argv: ['chown', '-R', 'x:x', '/d'], why: 'b' },
      { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'c' },
    ];
    const failure = await executeSteps(steps, deps(run)).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(PrintosError);
    expect((failure as PrintosError).message).toMatch(
      /^Step 2 of 3 failed \(run: chown -R x:x \/d .*exit 1: it broke.*run the same command again/,
    );
    expect(calls).toEqual(['useradd x', 'chown -R x:x /d']);
  });

  it('goes on after a command allowed to fail', async () => {
    const { calls, run } = recorder({ 'systemctl disable --now printos.service': 5 });
    await executeSteps(
      [
        {
          kind: 'run',
          argv: ['systemctl', 'disable', '--now', 'printos.service'],
          why: 'a',
          mayFail: true,
        },
        { kind: 'run', argv: ['systemctl', 'daemon-reload'], why: 'b' },
      ],
      deps(run),
    );
    expect(calls).toHaveLength(2);
    expect(out[1]).toBe('  (exit 5, ignored: it broke)');
  });

  describe.skipIf(process.getuid?.() !== 0)('compile (root: the output is chowned to root)', () => {
    /** A compiler that writes its -o file (group- and world-writable, to see the mode fixed). */
    function fakeCompiler(code = 0) {
      const calls: string[][] = [];
      const run: CommandRunner = async (cmd, args) => {
        calls.push([cmd, ...args]);
        const output = args[args.indexOf('-o') + 1] as string;
        await writeFile(output, 'binary', { mode: 0o777 });
        return { code, stdout: '', stderr: code ? 'error: expected ;' : '' };
      };
      return { calls, run };
    }
    const step = (output: string): Step => ({
      kind: 'compile',
      compiler: 'cc',
      flags: ['-O2'],
      source: '/src/native/x.c',
      libs: ['-lpam'],
      output,
      mode: 0o755,
    });

    it('builds beside the output, then root-owned, its mode, renamed over the old one', async () => {
      const output = join(dir, 'helper');
      await writeFile(output, 'old', { mode: 0o700 });
      const { calls, run } = fakeCompiler();
      await executeSteps([step(output)], deps(run));
      const [call] = calls;
      expect(call?.slice(0, 3)).toEqual(['cc', '-O2', '-o']);
      expect(call?.[3]).toMatch(new RegExp(`^${dir}/\\.helper\\.new-[0-9a-f]{8}$`));
      expect(call?.slice(4)).toEqual(['/src/native/x.c', '-lpam']);
      const info = await stat(output);
      expect({ mode: info.mode & 0o7777, uid: info.uid, gid: info.gid }).toEqual({
        mode: 0o755,
        uid: 0,
        gid: 0,
      });
      expect(await readFile(output, 'utf8')).toBe('binary');
      expect(await readdir(dir)).toEqual(['helper']);
    });

    it('a failed build keeps the old binary and leaves no temporary file', async () => {
      const output = join(dir, 'helper');
      await writeFile(output, 'old');
      await expect(executeSteps([step(output)], deps(fakeCompiler(1).run))).rejects.toThrow(
        /Step 1 of 1 failed \(build .*cc failed \(exit 1\): error: expected ;/,
      );
      expect(await readFile(output, 'utf8')).toBe('old');
      expect(await readdir(dir)).toEqual(['helper']);
    });
  });

  it('a dry run says every step and does none', async () => {
    const { calls, run } = recorder();
    await executeSteps(
      [
        { kind: 'run', argv: ['useradd', '--comment', 'printos service', 'x'], why: 'a' },
        { kind: 'mkdir', path: join(dir, 'new'), mode: 0o755 },
        { kind: 'note', text: 'hello' },
      ],
      deps(run, true),
    );
    expect(calls).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
    expect(out).toEqual([
      'Dry run: nothing is changed. The steps would be:',
      "  run: useradd --comment 'printos service' x   (a)",
      `  create directory ${join(dir, 'new')} (mode 0755)`,
      '  note: hello',
    ]);
  });
});
