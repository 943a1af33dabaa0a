import { describe, expect, it } from 'vitest';
import { mergeErrors, mergeLive, reportedJobId } from './live.js';

describe('mergeLive', () => {
  it('keeps absent fields and replaces present ones (delta compression)', () => {
    const first = mergeLive(
      {},
      { state: 'printing', percent: 10, temps: [60, 200], clouds_job_id: 7, filename: 'a.gcode' },
    );
    const second = mergeLive(first, { state: 'printing', percent: 20, temps: [61, 201] });
    expect(second).toEqual({
      state: 'printing',
      percent: 20,
      temps: [61, 201],
      clouds_job_id: 7,
      filename: 'a.gcode',
    });
  });

  it('forgets job fields once the printer leaves the job states', () => {
    const printing = mergeLive(
      {},
      { state: 'printing', percent: 50, clouds_job_id: 7, filename: 'a.gcode', line_number: 9 },
    );
    expect(mergeLive(printing, { state: 'ready', percent: 100 })).toEqual({
      state: 'ready',
      percent: 100,
    });
  });

  it('merges ext per key and ignores unknown top-level extras', () => {
    const a = mergeLive({}, { state: 'ready', ext: { a: 1 }, junk: 'x' });
    expect(mergeLive(a, { state: 'ready', ext: { b: 2 } })).toEqual({
      state: 'ready',
      ext: { a: 1, b: 2 },
    });
  });
});

describe('reportedJobId', () => {
  it.each([
    [{}, { state: 'printing', clouds_job_id: 5 }, '5'],
    [{ clouds_job_id: 5 }, { state: 'printing' }, '5'],
    [{ clouds_job_id: 5 }, { state: 'ready' }, undefined],
    [{}, { state: 'downloading', clouds_job_id: 'abc' }, 'abc'],
  ] as const)('%j + %j → %s', (previous, report, expected) => {
    expect(reportedJobId(previous, report)).toBe(expected);
  });
});

describe('mergeErrors', () => {
  it('puts the newest first and keeps ten', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ code: i, message: `e${i}`, level: 20 }));
    const merged = mergeErrors([], many, 5);
    expect(merged).toHaveLength(10);
    expect(merged[0]).toEqual({ code: 11, message: 'e11', level: 20, at: 5 });
  });
});
