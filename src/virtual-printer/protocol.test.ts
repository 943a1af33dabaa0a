import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checksum } from '../gcode/framing.js';
import { BOOT_BANNER, M115_LINES } from './answers.js';
import { createTestHost } from './test-host.js';

describe('virtual printer: handshake and answers', () => {
  it('boots with start and the Marlin banner', () => {
    const t = createTestHost();
    t.clock.advance(1);
    expect(t.lines()).toEqual(BOOT_BANNER);
    expect(t.lines()[0]).toBe('start');
    expect(t.lines()[1]).toBe('echo:Marlin 2.1.2.1');
  });

  it('answers the usual handshake like Marlin 2.1 with ADVANCED_OK', () => {
    const t = createTestHost();
    t.clock.advance(1);
    const boot = t.lines().length;
    t.sendLine(0, 'M110 N0');
    t.send('M115');
    t.send('M105');
    t.send('M114');
    t.send('M4242 X1');
    t.clock.advance(1);
    expect(t.linesFrom(boot)).toEqual([
      'ok N0 P15 B3',
      ...M115_LINES,
      'ok P15 B3',
      'ok T:22.00 /0.00 B:22.00 /0.00 @:0 B@:0',
      'X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0',
      'ok P15 B3',
      'echo:Unknown command: "M4242 X1"',
      'ok P15 B3',
    ]);
  });

  it('sends a plain ok without ADVANCED_OK', () => {
    const t = createTestHost({ advancedOk: false });
    t.clock.advance(1);
    const boot = t.lines().length;
    t.sendLine(1, 'G28');
    t.send('G1 X1');
    t.clock.advance(2000);
    expect(t.linesFrom(boot)).toEqual(['ok', 'ok']);
  });

  it('tracks absolute/relative positioning and G92 for M114', () => {
    const t = createTestHost({ homeTimeMs: 0 });
    for (const cmd of ['G28', 'G1 X10 Y20 Z0.3 E1', 'G91', 'G1 X5 E2', 'M82', 'G1 E1', 'G92 E0']) {
      t.send(cmd);
    }
    t.send('M114');
    const report = t.waitFor((l) => l.startsWith('X:'));
    expect(report.text).toBe('X:15.00 Y:20.00 Z:0.30 E:0.00 Count X:1200 Y:1600 Z:120');
  });

  it('autoreports temperatures with M155 and stops with S0', () => {
    const t = createTestHost();
    t.send('M155 S1');
    t.clock.advance(3500);
    const reports = t.received.filter((r) => r.text.startsWith(' T:'));
    expect(reports.map((r) => r.time)).toEqual([1000, 2000, 3000]);
    t.send('M155 S0');
    t.clock.advance(3000);
    expect(t.received.filter((r) => r.text.startsWith(' T:'))).toHaveLength(3);
  });

  it('sends wait every second when idle with NO_TIMEOUTS', () => {
    const t = createTestHost({ idleWait: true });
    t.clock.advance(3500);
    expect(t.received.filter((r) => r.text === 'wait').map((r) => r.time)).toEqual([
      1000, 2000, 3000,
    ]);
  });

  it('delays answers by wire time and latency in both directions', () => {
    // 10000 baud = 1 ms per byte; 5 ms one-way latency.
    const t = createTestHost({ baud: 10_000, latencyMs: 5 });
    t.clock.advance(1000);
    const boot = t.received.length;
    t.send('M105'); // 5 bytes land 5 + 5 ms after the write
    t.clock.advance(1000);
    const answer = t.received[boot];
    const text = 'ok T:22.00 /0.00 B:22.00 /0.00 @:0 B@:0';
    expect(answer?.text).toBe(text);
    expect(answer?.time).toBe(1000 + 10 + (text.length + 1) + 5);
  });

  it('never crashes on garbage or over-long lines', () => {
    const t = createTestHost();
    t.host.write(Buffer.from([0, 1, 2, 255, 254, 10, 13, 42, 59, 92, 10]));
    t.send(`G1 X${'9'.repeat(300)}`);
    t.send(`N1 G1 X${'1'.repeat(120)}*${checksum('x')}`);
    t.send('M105');
    const ok = t.waitFor((l) => l.startsWith('ok T:'));
    expect(ok.text).toContain('T:22.00');
    expect(t.lines()).toContain('Error:No Checksum with line number, Last Line: 0');
  });

  it('survives arbitrary bytes and still answers afterwards', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }), (chunks) => {
        const t = createTestHost({ moveTimeMs: 1 });
        for (const chunk of chunks) {
          t.host.write(Buffer.from(chunk));
          t.clock.advance(3);
        }
        t.printer.reset(); // a garbage M112 may have halted it
        t.send('M105');
        t.waitFor((l) => l.startsWith('ok T:'), 10_000);
      }),
      { numRuns: 200 },
    );
  });
});
