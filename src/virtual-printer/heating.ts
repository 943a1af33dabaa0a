import { type GcodeCommand, numberParam } from './gcode-words.js';
import type { Handler, HandlerContext, Reply, Wait } from './handler-types.js';
import type { Heater, WaitMode } from './thermal.js';

/** Marlin prints the temperatures every second while it waits for a heater. */
const REPORT_INTERVAL_MS = 1000;

type HeaterName = 'hotend' | 'bed';

function heaterOf(ctx: HandlerContext, name: HeaterName): Heater {
  return name === 'hotend' ? ctx.machine.hotend : ctx.machine.bed;
}

/** M104 / M140: set a target and go on. */
function setTarget(name: HeaterName): Handler {
  return (cmd, ctx) => {
    const target = numberParam(cmd, 'S');
    if (target !== undefined) heaterOf(ctx, name).setTarget(ctx.machine.time, target);
    return 'ok';
  };
}

/**
 * M109 / M190: `S` sets the target and waits only when heating is needed;
 * `R` sets it and waits in either direction (Marlin's no_wait_for_cooling).
 */
function waitForTarget(name: HeaterName): Handler {
  return (cmd: GcodeCommand, ctx: HandlerContext) => {
    const s = numberParam(cmd, 'S');
    const r = numberParam(cmd, 'R');
    const target = s ?? r;
    if (target === undefined) return 'ok';
    const heater = heaterOf(ctx, name);
    const time = ctx.machine.time;
    heater.setTarget(time, target);
    const mode: WaitMode =
      s !== undefined ? 'heat' : heater.temperature(time) > target ? 'cool' : 'heat';
    if (s !== undefined && heater.reached(time, target, 'heat')) return 'ok';
    return waitLoop(ctx, heater, target, mode);
  };
}

function* waitLoop(
  ctx: HandlerContext,
  heater: Heater,
  target: number,
  mode: WaitMode,
): Generator<Wait, Reply, void> {
  const machine = ctx.machine;
  ctx.beginHeatWait();
  machine.planner.expectDrain();
  let nextReport = machine.time;
  for (;;) {
    if (machine.time >= nextReport) {
      machine.say(`${machine.temperatures()} W:?`);
      nextReport = machine.time + REPORT_INTERVAL_MS;
    }
    if (ctx.heatWaitCancelled() || heater.reached(machine.time, target, mode)) return 'ok';
    const reachAt = heater.reachTime(machine.time, target, mode);
    yield { kind: 'until', time: Math.min(nextReport, reachAt) };
  }
}

export const HEATING_HANDLERS: Record<string, Handler> = {
  M104: setTarget('hotend'),
  M140: setTarget('bed'),
  M109: waitForTarget('hotend'),
  M190: waitForTarget('bed'),
};
