import { describe, expect, it } from 'vitest';
import {
  describeVerdict,
  expectedCommands,
  jobOf,
  parseRecord,
  type RecordEntry,
  stripComment,
  verify,
} from '../../bench/verify.js';

const FILE = ['; header', 'M104 S210 ; heat', 'G28', '', 'G1 X1 Y1 E0.1', ';LAYER:1', 'G1 X2 Y2'];
const EXPECTED = ['M104 S210', 'G28', 'G1 X1 Y1 E0.1', 'G1 X2 Y2'];

/** A record as printos would leave it: handshake on lines 0-2, the job from line 3. */
function recordOf(job: ReadonlyArray<[number, string]>): string {
  const rows = ['0\tM110 N0', '1\tM115', '2\tM155 S2', ...job.map(([n, c]) => `${n}\t${c}`)];
  return `${rows.join('\n')}\n`;
}

function check(job: ReadonlyArray<[number, string]>) {
  return verify(EXPECTED, jobOf(parseRecord(recordOf(job))));
}

describe('expectedCommands', () => {
  it('strips comments and blank lines, keeping the text otherwise as is', () => {
    expect(expectedCommands(FILE)).toEqual(EXPECTED);
  });

  it('drops protocol commands a file might contain, as the record filter does', () => {
    expect(expectedCommands(['M105', 'G1 X1', 'M155 S5'])).toEqual(['G1 X1']);
  });

  it('treats a comment-only line as nothing to send', () => {
    expect(stripComment('   ; just a comment')).toBeNull();
    expect(stripComment('G1 X1   ')).toBe('G1 X1');
  });
});

describe('parseRecord and jobOf', () => {
  it('reads numbered and unnumbered rows and separates protocol commands', () => {
    const entries = parseRecord('-\tM105\n-1\tM110\n0\tG28\n1\tG1 X1\n');
    expect(entries[0]).toEqual({ line: null, command: 'M105' });
    const job = jobOf(entries);
    expect(job.job.map((e: RecordEntry) => e.command)).toEqual(['G28', 'G1 X1']);
    expect(job.protocolLines).toEqual([-1]);
    expect(job.unnumbered).toEqual([]);
  });
});

describe('verify', () => {
  const perfect: Array<[number, string]> = EXPECTED.map((c, i) => [i + 3, c]);

  it('accepts the exact sequence', () => {
    const v = check(perfect);
    expect(v.correct).toBe(true);
    expect(describeVerdict(v)).toBe('yes');
  });

  it('counts a gap', () => {
    const v = check([perfect[0], perfect[1], perfect[3]] as Array<[number, string]>);
    expect(v).toMatchObject({ correct: false, gaps: 1, gapRuns: 1, duplicates: 0, reorders: 0 });
    expect(v.firstDivergence).toBe(2);
  });

  it('counts a duplicate', () => {
    const v = check([...perfect.slice(0, 3), perfect[2], perfect[3]] as Array<[number, string]>);
    expect(v).toMatchObject({ correct: false, gaps: 0, duplicates: 1, reorders: 0 });
  });

  it('counts a reorder', () => {
    const v = check([perfect[0], perfect[2], perfect[1], perfect[3]] as Array<[number, string]>);
    expect(v).toMatchObject({ correct: false, gaps: 0, duplicates: 0, reorders: 1 });
  });

  it('counts an altered command under a right line number', () => {
    const v = check([...perfect.slice(0, 3), [6, 'G1 X2 Y3']]);
    expect(v).toMatchObject({ correct: false, mismatches: 1, gaps: 0 });
  });

  it('counts unnumbered non-protocol commands as extras', () => {
    const text = `${recordOf(perfect)}-\tG1 X9\n`;
    const v = verify(EXPECTED, jobOf(parseRecord(text)));
    expect(v).toMatchObject({ correct: false, extras: 1 });
  });

  it('skips numbered protocol commands in the middle of the job', () => {
    const job: Array<[number, string]> = [
      [3, 'M104 S210'],
      [4, 'M105'],
      [5, 'G28'],
      [6, 'G1 X1 Y1 E0.1'],
      [7, 'G1 X2 Y2'],
    ];
    const v = check(job);
    expect(v.correct).toBe(true);
    expect(check(job.filter(([n]) => n !== 6))).toMatchObject({ gaps: 1, mismatches: 0 });
  });

  it('reports a job that starts at line 0 (printcore numbering)', () => {
    const text = `-\tM105\n-1\tM110\n${EXPECTED.map((c, i) => `${i}\t${c}`).join('\n')}\n`;
    expect(verify(EXPECTED, jobOf(parseRecord(text))).correct).toBe(true);
  });
});
