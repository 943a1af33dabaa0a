import { BOOT_BANNER, KILLED } from './answers.js';
import type { EmergencyCommand } from './emergency-parser.js';
import { CommandExecutor } from './executor.js';
import { FaultPlan } from './faults.js';
import type { HandlerContext } from './handler-types.js';
import type { Machine } from './machine.js';
import { Reports } from './reports.js';
import { SerialReader } from './serial-reader.js';

/**
 * The simulated Marlin board: serial reader → command queue → executor, plus
 * the emergency parser, autoreports, reboot and kill. It only acts when the
 * engine calls it at a simulated time (`machine.time`).
 */
export class Firmware {
  readonly #machine: Machine;
  readonly #onDisconnect: () => void;
  readonly #reader: SerialReader;
  readonly #executor: CommandExecutor;
  readonly #reports: Reports;
  #heatCancelled = false;

  constructor(machine: Machine, onDisconnect: () => void) {
    this.#machine = machine;
    this.#onDisconnect = onDisconnect;
    this.#reader = new SerialReader({
      machine,
      faults: new FaultPlan(machine.options),
      queueFull: () => this.#executor.full,
      accept: (command) => {
        this.#executor.enqueue(command);
        this.#reports.activity();
      },
      emergency: (command) => this.#emergency(command),
      linkFault: (kind) => (kind === 'reset' ? this.reset() : this.#disconnect()),
    });
    this.#executor = new CommandExecutor({
      machine,
      context: this.#handlerContext(),
      slotFreed: () => this.#reader.pump(),
      acknowledged: () => this.#reports.activity(),
    });
    this.#reports = new Reports(machine, () => this.#executor.empty && this.#reader.rxEmpty);
  }

  /** Power-on: `start` and the banner. */
  boot(): void {
    for (const line of BOOT_BANNER) this.#machine.say(line);
  }

  /** A byte arrives from the wire now. A halted board ignores everything. */
  receive(byte: number): void {
    if (!this.#machine.halted) this.#reader.receive(byte);
  }

  nextDue(): number {
    return Math.min(this.#executor.nextDue(), this.#reports.nextDue());
  }

  run(): void {
    this.#executor.run();
    this.#reports.run();
  }

  /** A reboot (reset button, DTR, reset fault): everything volatile starts over. */
  reset(): void {
    const machine = this.#machine;
    machine.halted = false;
    this.#executor.clear();
    this.#reader.reset();
    machine.planner.clear(machine.time);
    machine.motion.reset();
    machine.hotend.setTarget(machine.time, 0);
    machine.bed.setTarget(machine.time, 0);
    machine.busyIntervalMs = machine.options.busyIntervalMs;
    this.#reports.reset();
    this.#heatCancelled = false;
    machine.recorder.counters.resets++;
    this.boot();
  }

  /** M112 / kill(): the error line, then silence until a reset. */
  kill(): void {
    const machine = this.#machine;
    machine.say(KILLED);
    machine.halted = true;
    this.#executor.clear();
    machine.planner.quickStop(machine.time);
    machine.hotend.setTarget(machine.time, 0);
    machine.bed.setTarget(machine.time, 0);
  }

  #disconnect(): void {
    this.#machine.halted = true;
    this.#executor.clear();
    this.#onDisconnect();
  }

  #emergency(command: EmergencyCommand): void {
    if (command === 'M112') this.kill();
    else if (command === 'M410') this.#quickStop();
    else this.#cancelHeatWait();
  }

  #quickStop(): void {
    this.#machine.planner.quickStop(this.#machine.time);
    this.#executor.interrupt();
  }

  #cancelHeatWait(): void {
    this.#heatCancelled = true;
    this.#executor.interrupt();
  }

  #handlerContext(): HandlerContext {
    return {
      machine: this.#machine,
      setAutoreport: (ms) => this.#reports.setAutoreport(ms),
      quickStop: () => this.#quickStop(),
      kill: () => this.kill(),
      setLastLine: (n) => {
        this.#reader.lastLine = n;
      },
      beginHeatWait: () => {
        this.#heatCancelled = false;
      },
      heatWaitCancelled: () => this.#heatCancelled,
    };
  }
}
