import { formatTemperatures } from './answers.js';
import { MotionState } from './motion.js';
import type { VirtualPrinterOptions } from './options.js';
import { Planner } from './planner.js';
import type { Recorder } from './recorder.js';
import { Heater } from './thermal.js';
import type { OutboundWire } from './wire.js';

/**
 * The state every part of the firmware shares: simulated time (set by the
 * engine before it runs anything), the serial output, planner, heaters and
 * position. One instance per virtual printer.
 */
export class Machine {
  /** Simulated time of the event being processed. */
  time: number;
  halted = false;
  busyIntervalMs: number;
  readonly planner: Planner;
  readonly motion = new MotionState();
  readonly hotend: Heater;
  readonly bed: Heater;
  readonly options: VirtualPrinterOptions;
  readonly recorder: Recorder;
  readonly #out: OutboundWire;

  constructor(options: VirtualPrinterOptions, out: OutboundWire, recorder: Recorder, time: number) {
    this.options = options;
    this.#out = out;
    this.recorder = recorder;
    this.time = time;
    this.busyIntervalMs = options.busyIntervalMs;
    this.planner = new Planner(options.plannerSlots, options.moveTimeMs);
    this.hotend = new Heater(options.heatRate, time);
    this.bed = new Heater(options.heatRate, time);
  }

  /** Sends one line to the host now; a halted (killed) board says nothing more. */
  say(line: string): void {
    if (this.halted) return;
    this.#out.push(line, this.time);
    this.recorder.counters.bytesSent += line.length + 1;
  }

  /** ` T:… /… B:… /… @:0 B@:0` at the current time. */
  temperatures(): string {
    const t = this.time;
    return formatTemperatures(
      { current: this.hotend.temperature(t), target: this.hotend.target },
      { current: this.bed.temperature(t), target: this.bed.target },
    );
  }
}
