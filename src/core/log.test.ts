import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, type LogFile, listLogFiles, openLogFile } from './log.js';

let dir = '';
const fds: number[] = [];
afterEach(async () => {
  for (const fd of fds.splice(0)) closeSync(fd);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function setup(maxBytes: number, maxFiles: number) {
  dir = await mkdtemp(join(tmpdir(), 'printos-log-'));
  const logs = join(dir, 'logs');
  const file = await openLogFile({ dir: logs, maxBytes, maxFiles });
  const devNull = openSync('/dev/null', 'w');
  fds.push(devNull);
  return { logs, file, log: createLogger({ level: 'info', fd: devNull, file }) };
}

/** Rolls happen after the write that crossed the size; give them their turn. */
const turn = () => new Promise((resolve) => setImmediate(resolve));

async function until<T>(probe: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('the rotating log file', () => {
  it('rotates by size, keeps the newest files, private to the owner', async () => {
    const { logs, file, log } = await setup(2048, 3);
    for (let batch = 0; batch < 8; batch++) {
      for (let i = 0; i < 30; i++) log.info({ batch, i }, `line ${batch}-${i}`);
      await turn();
    }
    log.info('the last line');
    file.flush();
    const files = await until(async () => {
      const list = await listLogFiles(logs);
      return list.length === 3 ? list : undefined;
    }, 'the oldest files to be deleted');
    // Newest first, consecutive numbers: the oldest went.
    expect(files.map((f) => f.number)).toEqual([
      files[0]?.number,
      (files[0]?.number ?? 0) - 1,
      (files[0]?.number ?? 0) - 2,
    ]);
    expect(files[0]?.number).toBeGreaterThan(3);
    const newest = await readFile(files[0]?.path as string, 'utf8');
    expect(newest.trim().split('\n').pop()).toMatch(/"msg":"the last line"/);
    const oldest = await readFile(files[2]?.path as string, 'utf8');
    expect(oldest).not.toMatch(/"msg":"line 0-0"/);
    for (const f of files) {
      expect(await mode(f.path)).toBe(0o600);
      expect(f.size).toBeLessThan(2048 + 30 * 100);
    }
    expect(await mode(logs)).toBe(0o700);
  });

  it('continues the newest file after a restart and makes older files private', async () => {
    const first = await setup(1024 * 1024, 5);
    first.log.info('before the restart');
    first.file.flush();
    const [before] = await listLogFiles(first.logs);
    // A file copied in with loose permissions, as an older version might have left it.
    await writeFile(join(first.logs, 'printos.0.log'), 'old\n', { mode: 0o644 });
    const again: LogFile = await openLogFile({ dir: first.logs });
    const devNull = openSync('/dev/null', 'w');
    fds.push(devNull);
    createLogger({ fd: devNull, file: again }).info('after the restart');
    again.flush();
    const files = await listLogFiles(first.logs);
    expect(files.map((f) => f.name)).toEqual([before?.name, 'printos.0.log']);
    const text = await readFile(before?.path as string, 'utf8');
    expect(text).toMatch(/before the restart[\s\S]*after the restart/);
    expect(await mode(join(first.logs, 'printos.0.log'))).toBe(0o600);
  });

  it('lists nothing for a folder that does not exist, and ignores other files', async () => {
    dir = await mkdtemp(join(tmpdir(), 'printos-log-'));
    expect(await listLogFiles(join(dir, 'missing'))).toEqual([]);
    await writeFile(join(dir, 'web-audit.jsonl'), '{}\n');
    await writeFile(join(dir, 'printos.x.log'), '\n');
    await writeFile(join(dir, 'printos.2.log'), 'two\n');
    expect((await listLogFiles(dir)).map((f) => f.name)).toEqual(['printos.2.log']);
  });
});
