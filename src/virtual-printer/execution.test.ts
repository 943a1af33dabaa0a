import { describe, expect, it } from 'vitest';
import { frameLine } from '../gcode/framing.js';
import { createTestHost } from './test-host.js';

function booted(options: Parameters<typeof createTestHost>[0] = {}) {
  const t = createTestHost(options);
  t.clock.advance(1);
  const boot = t.received.length;
  return { ...t, after: () => t.received.slice(boot) };
}

describe('virtual printer: execution, planner and ADVANCED_OK', () => {
  it('acknowledges a move when it enters the planner, with P and B as Marlin counts them', () => {
    // 4 planner slots = 3 usable blocks; moves take 100 ms.
    const t = booted({ plannerSlots: 4, moveTimeMs: 100 });
    const start = t.clock.now();
    t.host.write(
      `${Array.from({ length: 8 }, (_, i) => frameLine(i + 1, `G1 X${i + 1}`)).join('\n')}\n`,
    );
    t.clock.advance(1000);
    expect(t.after().map((r) => [r.time - start, r.text])).toEqual([
      [0, 'ok N1 P2 B3'],
      [0, 'ok N2 P1 B3'],
      [0, 'ok N3 P0 B3'],
      [100, 'ok N4 P0 B0'], // waited for a block with N5-N7 queued behind it
      [200, 'ok N5 P0 B0'], // N8 entered the queue when N4 left it
      [300, 'ok N6 P0 B1'],
      [400, 'ok N7 P0 B2'],
      [500, 'ok N8 P0 B3'],
    ]);
  });

  it('sends busy keepalives while G28 blocks, then ok', () => {
    const t = booted({ homeTimeMs: 5000 });
    const start = t.clock.now();
    t.sendLine(1, 'G28');
    t.clock.advance(6000);
    expect(t.after().map((r) => [r.time - start, r.text])).toEqual([
      [2000, 'echo:busy: processing'],
      [4000, 'echo:busy: processing'],
      [5000, 'ok N1 P15 B3'],
    ]);
  });

  it('waits for the planner to empty before homing and for M400', () => {
    const t = booted({ moveTimeMs: 300, homeTimeMs: 100 });
    const start = t.clock.now();
    t.send('G1 X1');
    t.send('G1 X2');
    t.send('M400');
    t.send('G28');
    t.clock.advance(2000);
    expect(t.after().map((r) => [r.time - start, r.text])).toEqual([
      [0, 'ok P14 B3'],
      [0, 'ok P13 B3'],
      [600, 'ok P15 B2'], // M400, with G28 queued behind it
      [700, 'ok P15 B3'],
    ]);
  });

  it('dwells with G4 P and S', () => {
    const t = booted();
    const start = t.clock.now();
    t.send('G4 P250');
    t.send('G4 S1');
    t.clock.advance(2000);
    expect(t.after().map((r) => r.time - start)).toEqual([250, 1250]);
  });

  it('turns M113 into the keepalive interval', () => {
    const t = booted();
    const start = t.clock.now();
    t.send('M113 S1');
    t.send('G4 P2500');
    t.clock.advance(3000);
    const busy = t.after().filter((r) => r.text === 'echo:busy: processing');
    expect(busy.map((r) => r.time - start)).toEqual([1000, 2000]);
  });
});

describe('virtual printer: heaters', () => {
  it('heats at heatRate and reports every second while M109 waits', () => {
    const t = booted({ heatRate: 50 });
    const start = t.clock.now();
    t.sendLine(1, 'M109 S200'); // 22 → 200 °C at 50 °C/s: 3.56 s
    t.clock.advance(5000);
    expect(t.after().map((r) => [Math.round(r.time - start), r.text])).toEqual([
      [0, ' T:22.00 /200.00 B:22.00 /0.00 @:0 B@:0 W:?'],
      [1000, ' T:72.00 /200.00 B:22.00 /0.00 @:0 B@:0 W:?'],
      [2000, 'echo:busy: processing'],
      [2000, ' T:122.00 /200.00 B:22.00 /0.00 @:0 B@:0 W:?'],
      [3000, ' T:172.00 /200.00 B:22.00 /0.00 @:0 B@:0 W:?'],
      [3560, 'ok N1 P15 B3'],
    ]);
  });

  it('sets targets without waiting (M104/M140) and cools toward ambient when off', () => {
    const t = booted({ heatRate: 100 });
    t.send('M104 S100');
    t.send('M140 S60');
    t.clock.advance(2000);
    t.send('M105');
    expect(t.waitFor((l) => l.startsWith('ok T:')).text).toBe(
      'ok T:100.00 /100.00 B:60.00 /60.00 @:0 B@:0',
    );
    t.send('M104 S0');
    t.clock.advance(1000); // passive cooling: a fifth of heatRate
    t.send('M105');
    expect(t.waitFor((l) => l.startsWith('ok T:')).text).toMatch(/^ok T:80\.\d\d \/0\.00 /);
  });

  it('M190 R waits for the bed to cool as well', () => {
    const t = booted({ heatRate: 50 });
    t.send('M190 S60');
    t.waitFor((l) => l.startsWith('ok'));
    const start = t.clock.now();
    t.send('M190 R50'); // cools at 10 °C/s: 1 s
    const ok = t.waitFor((l) => l.startsWith('ok'));
    expect(ok.time - start).toBeCloseTo(1000, 5);
  });

  it('M108 cancels a heating wait at once, even with the queue full', () => {
    const t = booted({ heatRate: 1 });
    t.sendLine(1, 'M109 S200');
    for (let n = 2; n <= 4; n++) t.sendLine(n, 'G4 P0');
    t.clock.advance(1500);
    const start = t.clock.now();
    t.send('M108');
    const ok = t.waitFor((l) => l.startsWith('ok N1'));
    expect(ok.time).toBe(start);
  });
});

describe('virtual printer: emergency parser', () => {
  it('halts on M112 the moment it arrives, then stays silent until reset', () => {
    const t = booted();
    t.send('G4 P60000');
    for (let i = 0; i < 3; i++) t.send('G4 P0');
    t.clock.advance(100);
    t.send('M112');
    t.clock.advance(1);
    expect(t.after().map((r) => r.text)).toEqual(['Error:Printer halted. kill() called!']);
    expect(t.printer.halted).toBe(true);
    t.send('M105');
    t.clock.advance(70_000);
    expect(t.after()).toHaveLength(1);
    t.printer.reset();
    t.clock.advance(1);
    expect(t.after().map((r) => r.text)[1]).toBe('start');
    t.sendLine(1, 'M105');
    expect(t.waitFor((l) => l.startsWith('ok')).text).toMatch(/^ok T:/);
  });

  it('M410 drops planned moves so a move waiting for a block goes in at once', () => {
    const t = booted({ plannerSlots: 2, moveTimeMs: 10_000 });
    t.send('G1 X1');
    t.send('G1 X2'); // waits for the single block
    t.clock.advance(100);
    const start = t.clock.now();
    t.send('M410');
    t.clock.advance(1);
    // The waiting move is refused for a second after the quick stop (Marlin's cleaning_buffer_counter).
    expect(t.after().map((r) => [r.time - start, r.text])).toEqual([
      [-100, 'ok P0 B3'],
      [0, 'ok P1 B2'], // G1 X2, with the M410 line queued behind it
      [0, 'ok P1 B3'],
    ]);
  });
});
