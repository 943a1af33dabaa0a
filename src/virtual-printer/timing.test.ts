import { describe, expect, it } from 'vitest';
import { createTestHost } from './test-host.js';
import { streamLines } from './test-streamer.js';

const moves = (n: number) => Array.from({ length: n }, (_, i) => `G1 X${i % 10}.5`);

describe('virtual printer: timing on simulated time', () => {
  it('runs 1000 moves of 2 ms in 2 s when the host keeps the queue full', () => {
    const t = createTestHost({ moveTimeMs: 2 });
    t.clock.advance(1);
    const result = streamLines(t, moves(1000), 4);
    // The last ok comes when the last move is planned: 15 blocks still to run.
    const lastMoveEnds = result.elapsedMs + 15 * 2;
    expect(lastMoveEnds).toBeGreaterThanOrEqual(2000);
    expect(lastMoveEnds).toBeLessThan(2000 * 1.01);
    expect(t.printer.stats().plannerUnderruns).toBe(0);
  });

  it('reaches the 500 moves/s limit at 250000 baud and 4 ms latency with enough lines in flight', () => {
    const t = createTestHost({ moveTimeMs: 2, baud: 250_000, latencyMs: 4 });
    t.clock.advance(100);
    const result = streamLines(t, moves(1000), 8);
    const movesPerSecond = 1000 / ((result.elapsedMs + 15 * 2) / 1000);
    expect(movesPerSecond).toBeGreaterThan(0.95 * 500);
    expect(movesPerSecond).toBeLessThanOrEqual(500);
    const stats = t.printer.stats();
    expect(stats.rxBytesDropped).toBe(0);
    expect(stats.plannerUnderruns).toBe(0);
  });

  it('shows a ping-pong host starving the planner: one round trip per move', () => {
    const t = createTestHost({ moveTimeMs: 2, baud: 250_000, latencyMs: 4 });
    t.clock.advance(100);
    const result = streamLines(t, moves(200), 1);
    const perMove = result.elapsedMs / 200;
    expect(perMove).toBeGreaterThan(8); // 2 × 4 ms latency + wire time
    const stats = t.printer.stats();
    expect(stats.plannerUnderruns).toBeGreaterThan(190);
    expect(stats.plannerStarvedMs).toBeGreaterThan(190 * 6);
  });

  it('counts bytes dropped when a careless host overruns RX', () => {
    const t = createTestHost({ moveTimeMs: 20, baud: 250_000, latencyMs: 1 });
    t.clock.advance(10);
    const burst = moves(40); // 15 planned, 4 queued, 127 bytes in RX, the rest lost
    t.host.write(`${burst.join('\n')}\n`);
    t.clock.advance(2000);
    const bytes = burst.join('\n').length + 1;
    const absorbed = burst.slice(0, 19).join('\n').length + 1;
    expect(t.printer.stats().rxBytesDropped).toBe(bytes - absorbed - 127);
    expect(t.printer.executed().length).toBeLessThan(40);
  });
});
