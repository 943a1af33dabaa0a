import { describe, expect, it } from 'vitest';
import { generateGcode } from '../../bench/gcode-fixtures.js';
import { expectedCommands, isProtocolCommand } from '../../bench/verify.js';

describe('generateGcode', () => {
  it('gives exactly the requested number of lines', () => {
    for (const n of [100, 1000, 20_000]) expect(generateGcode(n)).toHaveLength(n);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateGcode(2000, 7)).toEqual(generateGcode(2000, 7));
    expect(generateGcode(2000, 7)).not.toEqual(generateGcode(2000, 8));
  });

  it('starts like a slicer: heat, wait, home, then moves', () => {
    const commands = expectedCommands(generateGcode(1000));
    const word = (c: string) => c.split(' ')[0];
    const order = ['M104', 'M140', 'M190', 'M109', 'G28'].map((w) =>
      commands.findIndex((c) => word(c) === w),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
    const moves = commands.filter((c) => c.startsWith('G1 ') || c.startsWith('G0 '));
    expect(moves.length / commands.length).toBeGreaterThan(0.9);
  });

  it('avoids what the two hosts strip differently and what the record filter drops', () => {
    const commands = expectedCommands(generateGcode(20_000));
    for (const c of commands) {
      expect(c).not.toMatch(/[()*/\\]|^N/);
      expect(isProtocolCommand(c)).toBe(false);
      // Marlin's MAX_CMD_SIZE is 96 bytes including line number and checksum.
      expect(c.length).toBeLessThan(60);
    }
  });
});
