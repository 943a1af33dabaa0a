import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RecordFile } from './record-file.js';
import { createTestHost } from './test-host.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('virtual printer: recorder', () => {
  it('records executed commands in order, without line numbers, checksums or comments', () => {
    const t = createTestHost();
    t.sendLine(1, 'G28');
    t.send('M105 ; poll');
    t.sendLine(2, 'G1 X1 Y2');
    t.send('   N3 G1 X3*'); // bad checksum: not executed
    t.clock.advance(5000);
    expect(t.printer.executed()).toEqual([
      { line: 1, command: 'G28' },
      { line: null, command: 'M105' },
      { line: 2, command: 'G1 X1 Y2' },
    ]);
    expect(t.printer.stats()).toMatchObject({
      linesReceived: 4,
      commandsExecuted: 3,
      errors: 1,
      resendsRequested: 1,
    });
  });

  it('writes <line>\\t<command> lines, - for unnumbered, on flush and close', () => {
    const dir = mkdtempSync(join(tmpdir(), 'printos-record-'));
    dirs.push(dir);
    const path = join(dir, 'record.tsv');
    const t = createTestHost();
    const file = new RecordFile(path);
    t.printer.onExecuted((entry) => file.add(entry));
    t.sendLine(1, 'G90');
    t.send('M105');
    t.clock.advance(10);
    file.close();
    expect(readFileSync(path, 'latin1')).toBe('1\tG90\n-\tM105\n');
  });
});
