import { describe, expect, it } from 'vitest';
import type { PrinterState } from '../printer/states.js';
import { reportSchema } from '../streamer-api/index.js';
import {
  buildReport,
  compressReport,
  deliveredFields,
  heaterArrays,
  mergeEvent,
  NOTHING_DELIVERED,
  reportState,
} from './report.js';
import type { PrinterSnapshot } from './types.js';

const heaters = [
  { id: 'T0', current: 200.456, target: 210 },
  { id: 'B', current: 60.004, target: 60 },
];

function snapshot(state: PrinterState, job: PrinterSnapshot['job'] = null): PrinterSnapshot {
  return { state, temperatures: heaters, job };
}

const job = { filename: 'cube.gcode', cloudJobId: 42, percent: 12.3456, line: 100 };

describe('reportState', () => {
  it.each<[PrinterState, boolean, string]>([
    ['disconnected', false, 'connecting'],
    ['connecting', false, 'connecting'],
    ['connecting', true, 'connecting'],
    ['error', false, 'error'],
    ['halted', true, 'error'],
    ['ready', false, 'ready'],
    ['ready', true, 'downloading'],
    ['printing', false, 'printing'],
    ['pausing', false, 'printing'],
    ['cancelling', false, 'printing'],
    ['paused', false, 'paused'],
    ['paused', true, 'paused'],
  ])('%s (downloading: %s) → %s', (state, downloading, expected) => {
    expect(reportState(state, downloading)).toBe(expected);
  });
});

describe('heaterArrays', () => {
  it.each([
    ['bed and one tool', heaters, [60, 200.46], [60, 210]],
    ['plain T is tool 0', [{ id: 'T', current: 20.111 }], [0, 20.11], [0, 0]],
    ['no readings', [], [0, 0], [0, 0]],
    [
      'a missing tool in the middle is 0',
      [
        { id: 'T0', current: 1 },
        { id: 'T2', current: 3, target: 4 },
      ],
      [0, 1, 0, 3],
      [0, 0, 0, 4],
    ],
    [
      'chamber and probe are ignored',
      [
        { id: 'C', current: 40 },
        { id: 'P', current: 30 },
      ],
      [0, 0],
      [0, 0],
    ],
    ['NaN becomes 0', [{ id: 'B', current: Number.NaN, target: 50 }], [0, 0], [50, 0]],
  ])('%s', (_name, readings, temps, targets) => {
    expect(heaterArrays(readings)).toEqual({ temps, target_temps: targets });
  });
});

describe('buildReport', () => {
  it('without a connected printer is just the state', () => {
    expect(buildReport({ snapshot: snapshot('disconnected'), download: null })).toEqual({
      state: 'connecting',
    });
    expect(buildReport({ snapshot: snapshot('error', job), download: null })).toEqual({
      state: 'error',
    });
  });

  it('ready: state, percent and temperatures', () => {
    expect(buildReport({ snapshot: snapshot('ready'), download: null })).toEqual({
      state: 'ready',
      percent: 0,
      temps: [60, 200.46],
      target_temps: [60, 210],
    });
  });

  it('printing: the job fields, percent rounded', () => {
    const report = buildReport({ snapshot: snapshot('printing', job), download: null });
    expect(report).toMatchObject({
      state: 'printing',
      percent: 12.35,
      line_number: 100,
      filename: 'cube.gcode',
      clouds_job_id: 42,
    });
    expect(reportSchema.safeParse(report).success).toBe(true);
  });

  it('downloading: the download percent and job', () => {
    const report = buildReport({
      snapshot: snapshot('ready'),
      download: { percent: 150, filename: 'a.gcode', cloudJobId: 'j1' },
    });
    expect(report).toMatchObject({
      state: 'downloading',
      percent: 100,
      filename: 'a.gcode',
      clouds_job_id: 'j1',
    });
    expect(report.line_number).toBeUndefined();
  });

  it('console lines go in response, truncated', () => {
    const long = 'x'.repeat(5000);
    const report = buildReport({
      snapshot: snapshot('ready'),
      download: null,
      console: ['ok', long],
    });
    expect(report.response).toEqual(['ok', 'x'.repeat(4096)]);
  });
});

describe('delta compression', () => {
  const full = buildReport({ snapshot: snapshot('printing', job), download: null });

  it('sends everything when nothing was delivered', () => {
    expect(compressReport(full, NOTHING_DELIVERED)).toEqual(full);
  });

  it('omits unchanged optional fields, keeps the always-present ones', () => {
    const next = buildReport({
      snapshot: snapshot('printing', { ...job, percent: 13 }),
      download: null,
    });
    expect(compressReport(next, deliveredFields(full))).toEqual({
      state: 'printing',
      percent: 13,
      temps: [60, 200.46],
      target_temps: [60, 210],
    });
  });

  it('sends a changed field', () => {
    const next = buildReport({
      snapshot: snapshot('printing', { ...job, line: 101 }),
      download: null,
    });
    expect(compressReport(next, deliveredFields(full)).line_number).toBe(101);
  });

  it('a field that disappeared is sent again when it comes back', () => {
    const idle = buildReport({ snapshot: snapshot('ready'), download: null });
    const again = compressReport(full, deliveredFields(idle));
    expect(again.filename).toBe('cube.gcode');
    expect(again.line_number).toBe(100);
  });

  it('ext keys are compressed one by one and ext dropped when empty', () => {
    const withExt = { ...full, ext: { a: 1, b: 2 } };
    const delivered = deliveredFields(withExt);
    expect(compressReport({ ...full, ext: { a: 1, b: 3 } }, delivered).ext).toEqual({ b: 3 });
    expect(compressReport(withExt, delivered).ext).toBeUndefined();
  });

  it('an event overrides the report', () => {
    expect(mergeEvent(full, { state: 'ready', percent: 100 })).toMatchObject({
      state: 'ready',
      percent: 100,
    });
    expect(mergeEvent(full, undefined)).toBe(full);
  });
});
