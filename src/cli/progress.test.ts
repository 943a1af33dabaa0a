import { describe, expect, it } from 'vitest';
import { formatDuration, progressBar, progressLine, rates } from './progress.js';

const progress = (percent: number, linesAcked: number) => ({
  name: 'x.gcode',
  linesAcked,
  bytesAcked: percent * 10,
  totalBytes: 1000,
  percent,
  lastAckedFileLine: linesAcked,
});

describe('progress output', () => {
  it.each([
    [null, '--:--'],
    [Number.POSITIVE_INFINITY, '--:--'],
    [0, '0:00'],
    [59.6, '1:00'],
    [61, '1:01'],
    [3_725, '1:02:05'],
  ])('formats %s seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('derives lines/s and time left from the progress so far', () => {
    expect(rates({ progress: progress(25, 1000), elapsed: 10 })).toEqual({
      linesPerSecond: 100,
      secondsLeft: 30,
    });
    expect(rates({ progress: progress(0, 0), elapsed: 0 }).secondsLeft).toBeNull();
  });

  it('draws a bar for terminals', () => {
    expect(progressBar({ progress: progress(50, 500), elapsed: 5 }, 10)).toBe(
      '[#####-----]  50.0%  100 lines/s  0:05 left',
    );
  });

  it('adds temperatures, with targets when set', () => {
    const temperatures = [
      { id: 'T0', current: 204.6, target: 210 },
      { id: 'B', current: 60, target: 60 },
      { id: 'C', current: 31.2 },
    ];
    const sample = { progress: progress(50, 500), elapsed: 5, temperatures };
    expect(progressBar(sample, 10)).toBe(
      '[#####-----]  50.0%  100 lines/s  0:05 left  T0 205/210 B 60/60 C 31',
    );
    expect(progressLine(sample)).toMatch(/ temps=T0:205\/210,B:60\/60,C:31$/);
  });

  it('writes a plain line for logs', () => {
    expect(progressLine({ progress: progress(50, 500), elapsed: 5 })).toBe(
      'progress 50.0% lines=500 bytes=500/1000 rate=100/s left=0:05',
    );
  });
});
