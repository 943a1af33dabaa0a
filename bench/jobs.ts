/** The files both hosts print, and what the printer must execute for each. */
import { generateGcode, writeFixture } from './gcode-fixtures.js';
import { expectedCommands } from './verify.js';

export interface Job {
  /** Lines in the file (the size the report names). */
  size: number;
  path: string;
  bytes: number;
  /** The file's commands after comment stripping: what the record must equal. */
  expected: string[];
  /**
   * G0/G1 commands: the virtual printer gives every one of them a planner block
   * of --move-time, even a feed-rate-only `G1 F1800`, so these set the physical limit.
   */
  moves: number;
  /** Commands after the G28: the streaming part, once heating and homing are done. */
  linesAfterHome: number;
}

const MOVE = /^G[01](?:\s|$)/;

export async function prepareJob(dir: string, size: number, seed: number): Promise<Job> {
  const fixture = await writeFixture(dir, size, seed);
  const expected = expectedCommands(generateGcode(size, seed));
  const home = expected.findIndex((c) => c === 'G28' || c.startsWith('G28 '));
  return {
    size,
    path: fixture.path,
    bytes: fixture.bytes,
    expected,
    moves: expected.filter((c) => MOVE.test(c)).length,
    linesAfterHome: expected.length - home - 1,
  };
}

/** A job of only the fixture's header and footer: what a host costs before and after streaming. */
export const BASELINE_SIZE = 60;
