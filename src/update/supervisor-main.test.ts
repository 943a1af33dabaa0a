import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readUpdateState } from './layout.js';
import { jsonLineLog, wantsSupervisor } from './supervisor-main.js';

describe('wantsSupervisor', () => {
  it.each([
    [['start', '--supervised'], true],
    [['start', '--data-dir', '/x', '--supervised'], true],
    [['start'], false],
    [['start', '--supervised', '--help'], false],
    [['start', '-h', '--supervised'], false],
    [['status', '--supervised'], false],
  ])('%j → %s', (args, expected) => {
    expect(wantsSupervisor(['node', 'printos', ...args])).toBe(expected);
  });
});

describe('jsonLineLog', () => {
  it('writes pino-shaped JSON lines', () => {
    const lines: string[] = [];
    const log = jsonLineLog((line) => lines.push(line));
    log.info({ version: '1.0.0' }, 'started');
    log.error({ reason: 'x' }, 'rolled back');
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed[0]).toMatchObject({
      level: 30,
      part: 'supervisor',
      version: '1.0.0',
      msg: 'started',
    });
    expect(parsed[1]).toMatchObject({ level: 50, reason: 'x', msg: 'rolled back' });
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
  });
});

describe('readUpdateState', () => {
  const trial = { from: '1.0.0', to: '1.1.0', startedAt: '2026-11-27T10:00:00.000Z' };
  const last = { from: '1.0.0', to: '1.1.0', outcome: 'rolled-back', at: 'now', reason: 'r' };
  it.each([
    ['a trial and an outcome', { trial, last }, { trial, last }],
    ['nothing', { trial: null, last: null }, { trial: null, last: null }],
    ['not JSON', 'garbage{', { trial: null, last: null }],
    ['an array', [], { trial: null, last: null }],
    [
      'a trial without its target',
      { trial: { from: '1' }, last: null },
      { trial: null, last: null },
    ],
    [
      'an unknown outcome',
      { trial: null, last: { ...last, outcome: 'maybe' } },
      { trial: null, last: null },
    ],
    ['a missing field', { trial }, { trial: null, last: null }],
  ])('%s', async (_name, content, expected) => {
    const prefix = await mkdtemp(join(tmpdir(), 'printos-state-'));
    try {
      const text = typeof content === 'string' ? content : JSON.stringify(content);
      await writeFile(join(prefix, 'update-state.json'), text);
      expect(await readUpdateState(prefix)).toEqual(expected);
    } finally {
      await rm(prefix, { recursive: true, force: true });
    }
  });
});
