import type { GcodeCommand } from './gcode-words.js';
import type { Machine } from './machine.js';

/**
 * What a blocked command waits for. The executor turns each into a due time
 * (a planner block freeing, the planner emptying, a clock time) instead of
 * polling, and resumes the handler then.
 */
export type Wait = { kind: 'space' } | { kind: 'empty' } | { kind: 'until'; time: number };

/** 'ok': the executor sends the (ADVANCED_)ok; 'none': the handler answered itself (M105). */
export type Reply = 'ok' | 'none';

/**
 * A handler either finishes at once or is a generator that yields what it
 * waits for, mirroring Marlin's handlers that call idle() in a loop.
 */
export type HandlerResult = Reply | Generator<Wait, Reply, void>;

/** What handlers may do beyond the shared machine state. */
export interface HandlerContext {
  readonly machine: Machine;
  /** M155: temperature autoreport period; 0 stops it. */
  setAutoreport(intervalMs: number): void;
  /** M410: drop planned moves. */
  quickStop(): void;
  /** M112: halt until reset. */
  kill(): void;
  /** M110: the next numbered line must be n + 1. */
  setLastLine(n: number): void;
  /** Start of an M109/M190 wait: an earlier M108 must not cancel it (Marlin sets wait_for_heatup). */
  beginHeatWait(): void;
  /** Has M108 cancelled the current heating wait? */
  heatWaitCancelled(): boolean;
}

export type Handler = (cmd: GcodeCommand, ctx: HandlerContext) => HandlerResult;

export const WAIT_SPACE: Wait = Object.freeze({ kind: 'space' });
export const WAIT_EMPTY: Wait = Object.freeze({ kind: 'empty' });

/** Marlin's planner.synchronize(): wait until every planned move has run. */
export function* synchronize(machine: Machine): Generator<Wait, void, void> {
  while (machine.planner.emptyAt() > machine.time) yield WAIT_EMPTY;
  machine.planner.expectDrain();
}

/** Marlin's dwell(): wait `ms` from now. */
export function* dwell(machine: Machine, ms: number): Generator<Wait, void, void> {
  const until = machine.time + ms;
  while (machine.time < until) yield { kind: 'until', time: until };
}
