import { M115_LINES, unknownCommand } from './answers.js';
import { type GcodeCommand, numberParam } from './gcode-words.js';
import {
  dwell,
  type Handler,
  type HandlerContext,
  type HandlerResult,
  type Reply,
  synchronize,
  WAIT_SPACE,
  type Wait,
} from './handler-types.js';
import { HEATING_HANDLERS } from './heating.js';

/** G0-G3: the ok goes out once the move has a planner block (Marlin's buffer_line). */
const move: Handler = (cmd, ctx) => {
  const machine = ctx.machine;
  if (machine.planner.free(machine.time) > 0) return planMove(cmd, ctx);
  return waitForBlock(cmd, ctx);
};

function* waitForBlock(cmd: GcodeCommand, ctx: HandlerContext): Generator<Wait, Reply, void> {
  while (ctx.machine.planner.free(ctx.machine.time) <= 0) yield WAIT_SPACE;
  return planMove(cmd, ctx);
}

function planMove(cmd: GcodeCommand, ctx: HandlerContext): Reply {
  // A move refused during M410's discard window is lost, but still acknowledged, as in Marlin.
  if (ctx.machine.planner.add(ctx.machine.time)) ctx.machine.motion.move(cmd);
  return 'ok';
}

/** G28 / G29: synchronize, then the probing/homing itself takes homeTimeMs. */
function homing(homes: boolean): Handler {
  return function* (cmd, ctx) {
    yield* synchronize(ctx.machine);
    yield* dwell(ctx.machine, ctx.machine.options.homeTimeMs);
    if (homes) ctx.machine.motion.home(cmd);
    ctx.machine.planner.expectDrain();
    return 'ok';
  };
}

/** G4 P<ms> / S<s>: synchronize, then wait. */
const g4: Handler = function* (cmd, ctx) {
  const s = numberParam(cmd, 'S');
  const ms = s !== undefined ? s * 1000 : (numberParam(cmd, 'P') ?? 0);
  yield* synchronize(ctx.machine);
  yield* dwell(ctx.machine, ms);
  ctx.machine.planner.expectDrain();
  return 'ok';
};

const m400: Handler = function* (_cmd, ctx) {
  yield* synchronize(ctx.machine);
  return 'ok';
};

/** M105 answers on the ok line itself, without ADVANCED_OK fields (Marlin returns early). */
const m105: Handler = (_cmd, ctx) => {
  ctx.machine.say(`ok${ctx.machine.temperatures()}`);
  return 'none';
};

const m115: Handler = (_cmd, ctx) => {
  for (const line of M115_LINES) ctx.machine.say(line);
  return 'ok';
};

const m113: Handler = (cmd, ctx) => {
  const s = numberParam(cmd, 'S');
  if (s === undefined)
    ctx.machine.say(`echo:M113 S${Math.round(ctx.machine.busyIntervalMs / 1000)}`);
  else ctx.machine.busyIntervalMs = Math.max(0, s) * 1000;
  return 'ok';
};

/** M118 [E1] [A1] [Pn] text: E1 prefixes `echo:`, A1 prefixes `//`. */
const m118: Handler = (cmd, ctx) => {
  let text = cmd.rest;
  let prefix = '';
  for (let flag = /^([AEP])(\d)\s*/.exec(text); flag; flag = /^([AEP])(\d)\s*/.exec(text)) {
    if (flag[1] === 'E' && flag[2] === '1') prefix = 'echo:';
    if (flag[1] === 'A' && flag[2] === '1') prefix = `//${prefix}`;
    text = text.slice(flag[0].length);
  }
  ctx.machine.say(`${prefix}${text}`);
  return 'ok';
};

const ok: Handler = () => 'ok';

const simple = (effect: (cmd: GcodeCommand, ctx: HandlerContext) => void): Handler => {
  return (cmd, ctx) => {
    effect(cmd, ctx);
    return 'ok';
  };
};

/** Commands of a stock Marlin 2.1 build that have no effect worth simulating. */
// biome-ignore format: a table reads better dense
const NO_EFFECT = [
  'G21', 'M17', 'M18', 'M84', 'M106', 'M107', 'M117', 'M201', 'M203', 'M204', 'M205', 'M206',
  'M220', 'M221', 'M302', 'M420', 'M500', 'M501', 'M502', 'M503', 'M851', 'M75', 'M76', 'M77',
  'M999', 'T0',
];

const HANDLERS: Readonly<Record<string, Handler>> = Object.freeze({
  ...Object.fromEntries(NO_EFFECT.map((name) => [name, ok])),
  ...HEATING_HANDLERS,
  G0: move,
  G1: move,
  G2: move,
  G3: move,
  G4: g4,
  G28: homing(true),
  G29: homing(false),
  G90: simple((_c, ctx) => ctx.machine.motion.setRelative(false)),
  G91: simple((_c, ctx) => ctx.machine.motion.setRelative(true)),
  G92: simple((c, ctx) => ctx.machine.motion.setPosition(c)),
  M82: simple((_c, ctx) => ctx.machine.motion.setRelativeE(false)),
  M83: simple((_c, ctx) => ctx.machine.motion.setRelativeE(true)),
  M105: m105,
  M108: ok, // the emergency parser already acted on it when it arrived
  M110: simple((c, ctx) => {
    const n = numberParam(c, 'N');
    if (n !== undefined) ctx.setLastLine(n);
  }),
  M112: (_c, ctx) => {
    ctx.kill();
    return 'none';
  },
  M113: m113,
  M114: simple((_c, ctx) => ctx.machine.say(ctx.machine.motion.report())),
  M115: m115,
  M118: m118,
  M155: simple((c, ctx) => ctx.setAutoreport((numberParam(c, 'S') ?? 0) * 1000)),
  M400: m400,
  M410: simple((_c, ctx) => ctx.quickStop()),
});

/** Runs one command; unknown ones get Marlin's echo and still an ok. */
export function runCommand(cmd: GcodeCommand, text: string, ctx: HandlerContext): HandlerResult {
  const handler = HANDLERS[cmd.name];
  if (handler) return handler(cmd, ctx);
  ctx.machine.say(unknownCommand(text));
  return 'ok';
}
