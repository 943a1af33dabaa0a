import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jobCommands, startVirtualPrinter } from '../helpers/virtual-printer-process.js';

const BIN = resolve(import.meta.dirname, '..', '..', 'bin', 'printos.js');
const dir = mkdtempSync(join(tmpdir(), 'printos-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gcode(name: string, lines: number): string {
  const path = join(dir, name);
  const body = Array.from(
    { length: lines },
    (_, i) => `G1 X${i % 100} Y${Math.floor(i / 100)} E${i}`,
  );
  writeFileSync(path, `${body.join('\n')}\n`);
  return path;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function printos(
  args: string[],
  onStdout?: (text: string, kill: () => void) => void,
): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onStdout?.(stdout, () => child.kill('SIGINT'));
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('printos print', () => {
  it('prints a file, reports progress as plain lines when not a terminal, and exits 0', async () => {
    const vp = await startVirtualPrinter(['--move-time', '1']);
    const file = gcode('ok.gcode', 6000);
    const run = await printos(['print', '--port', vp.path, '--no-reset', file]);
    const { executed } = await vp.stop();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^progress \d+\.\d% lines=\d+ bytes=\d+\/\d+ rate=\d+\/s left=/m);
    expect(run.stdout).toMatch(/printed ok\.gcode: 6000 lines acknowledged/);
    expect(jobCommands(executed)).toHaveLength(6000);
  });

  it('cancels cleanly on Ctrl-C: exit 130, heaters off and motion stopped', async () => {
    const vp = await startVirtualPrinter(['--move-time', '2']);
    const file = gcode('cancel.gcode', 20_000);
    const run = await printos(
      ['print', '--port', vp.path, '--no-reset', file],
      (out, interrupt) => {
        if (out.includes('progress')) interrupt();
      },
    );
    const { executed } = await vp.stop();
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/error \[JOB_CANCELLED\]/);
    const tail = executed.slice(-4).map((e) => e.command);
    expect(tail).toEqual(['M410', 'M104 S0', 'M140 S0', 'M107']);
  }, 30_000);

  it.each([
    [['print', '--port', '/dev/does-not-exist', 'x.gcode'], 'FILE_NOT_FOUND', 4],
    [['print', '--port', '/dev/does-not-exist', '__FILE__'], 'PORT_NOT_FOUND', 5],
    [['print', '--port', '/dev/null', '--baud', 'fast', '__FILE__'], 'INVALID_ARGUMENT', 2],
    [['print', '--port', '/dev/null', '--flow', 'sideways', '__FILE__'], 'CONFIG_INVALID', 3],
  ])('fails with a clear message: %j', async (args, code, exit) => {
    const file = gcode('small.gcode', 3);
    const run = await printos(args.map((a) => (a === '__FILE__' ? file : a)));
    expect(run.stderr).toMatch(new RegExp(`^printos: error \\[${code}\\]: \\S`));
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(exit);
  });

  it('fails with HANDSHAKE_FAILED when nothing answers', async () => {
    const file = gcode('silent.gcode', 3);
    const run = await printos(['print', '--port', '/dev/ptmx', '--baud', '115200', file]);
    expect(run.stderr).toMatch(/error \[(HANDSHAKE_FAILED|PORT_OPEN_FAILED)\]/);
    expect(run.code).toBe(5);
  }, 20_000);
});
