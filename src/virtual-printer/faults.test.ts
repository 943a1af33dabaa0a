import { describe, expect, it } from 'vitest';
import { PrintosError } from '../core/errors.js';
import { parseFaultKinds, parseFaultSpec } from './faults.js';
import { createTestHost } from './test-host.js';
import { streamLines } from './test-streamer.js';

const moves = (n: number) => Array.from({ length: n }, (_, i) => `G1 X${(i % 100) + 1} Y${i % 7}`);

function numbered(t: ReturnType<typeof createTestHost>) {
  return t.printer
    .executed()
    .filter((c) => c.line !== null && c.line > 0)
    .map((c) => c.command);
}

describe('fault specs', () => {
  it('parses the CLI forms', () => {
    expect(parseFaultSpec('corrupt@120,drop-ok@300, reset@500')).toEqual([
      { kind: 'corrupt', line: 120 },
      { kind: 'drop-ok', line: 300 },
      { kind: 'reset', line: 500 },
    ]);
    expect(parseFaultKinds('corrupt,spurious-resend')).toEqual(['corrupt', 'spurious-resend']);
  });

  it('rejects unknown kinds and malformed items with INVALID_ARGUMENT', () => {
    for (const bad of ['explode@3', 'corrupt', 'corrupt@x', 'corrupt@-1']) {
      expect(() => parseFaultSpec(bad)).toThrow(PrintosError);
    }
    expect(() => parseFaultKinds('corrupt,nope')).toThrow(/Unknown fault kind "nope"/);
  });
});

describe('virtual printer: faults at given lines', () => {
  it('corrupt: the first copy of the line fails its checksum, the resend goes through', () => {
    const t = createTestHost({ faults: [{ kind: 'corrupt', line: 3 }] });
    const commands = moves(6);
    const result = streamLines(t, commands, 1);
    expect(t.lines()).toContain('Error:checksum mismatch, Last Line: 2');
    expect(t.lines()).toContain('Resend: 3');
    expect(result.rewinds).toBe(1);
    expect(numbered(t)).toEqual(commands);
    expect(t.printer.stats().faultsInjected.corrupt).toBe(1);
  });

  it('drop-ok: the line runs but its ok never comes', () => {
    const t = createTestHost({ faults: [{ kind: 'drop-ok', line: 2 }] });
    t.sendLine(1, 'G90');
    t.sendLine(2, 'G90');
    t.sendLine(3, 'G90');
    t.clock.advance(10);
    expect(t.lines().filter((l) => l.startsWith('ok'))).toEqual(['ok N1 P15 B3', 'ok N3 P15 B3']);
    expect(t.printer.executed().map((c) => c.line)).toEqual([1, 2, 3]);
  });

  it('spurious-resend: after the ok, the printer asks for the same line again', () => {
    const t = createTestHost({ faults: [{ kind: 'spurious-resend', line: 2 }] });
    t.sendLine(1, 'G90');
    t.sendLine(2, 'G90');
    t.clock.advance(10);
    expect(t.lines().slice(-4)).toEqual(['ok N1 P15 B3', 'ok N2 P15 B3', 'Resend: 2', 'ok']);
  });

  it('reset: the board reboots on the line, forgetting it and the line numbering', () => {
    const t = createTestHost({ faults: [{ kind: 'reset', line: 3 }] });
    t.clock.advance(1);
    const boot = t.lines().length;
    t.sendLine(1, 'G90');
    t.sendLine(2, 'G90');
    t.sendLine(3, 'G90');
    t.sendLine(4, 'G90');
    t.clock.advance(10);
    expect(t.linesFrom(boot)).toEqual([
      'ok N1 P15 B3',
      'ok N2 P15 B3',
      'start',
      'echo:Marlin 2.1.2.1',
      'echo: Last Updated: 2023-07-13 | Author: (printos, virtual printer)',
      'echo: Compiled: Jul 13 2023',
      'echo: Free Memory: 4162  PlannerBufferBytes: 1216',
      'Error:Line Number is not Last Line Number+1, Last Line: 0',
      'Resend: 1',
      'ok',
    ]);
    expect(t.printer.stats().resets).toBe(1);
  });

  it('disconnect: the link closes with an error on the host side', async () => {
    const t = createTestHost({ faults: [{ kind: 'disconnect', line: 2 }] });
    const reasons: string[] = [];
    t.printer.onDisconnect((reason) => reasons.push(reason));
    t.sendLine(1, 'G90');
    t.sendLine(2, 'G90');
    t.clock.advance(10);
    await Promise.resolve();
    expect(t.closedWith()).toBeInstanceOf(PrintosError);
    expect((t.closedWith() as PrintosError).code).toBe('PORT_LOST');
    expect(reasons).toEqual(['disconnect-fault']);
    expect(t.printer.executed().map((c) => c.line)).toEqual([1]);
  });
});

describe('virtual printer: seeded random faults', () => {
  const run = (seed: number) => {
    const t = createTestHost({
      faultRate: 0.05,
      faultKinds: ['corrupt', 'drop-ok', 'spurious-resend'],
      seed,
    });
    const commands = moves(400);
    streamLines(t, commands, 3);
    return { t, commands };
  };

  it('are reproducible from the seed and never lose or repeat a line', () => {
    const a = run(42);
    const b = run(42);
    expect(a.t.lines()).toEqual(b.t.lines());
    expect(numbered(a.t)).toEqual(a.commands);
    const injected = a.t.printer.stats().faultsInjected;
    expect(injected.corrupt + injected['drop-ok'] + injected['spurious-resend']).toBeGreaterThan(5);
  });

  it('differ between seeds', () => {
    expect(run(1).t.lines()).not.toEqual(run(2).t.lines());
  });
});
