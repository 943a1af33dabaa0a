import { BUSY_PROCESSING, formatOk } from './answers.js';
import { parseCommand } from './gcode-words.js';
import type { HandlerContext, Reply, Wait } from './handler-types.js';
import { runCommand } from './handlers.js';
import type { Machine } from './machine.js';
import type { AcceptedCommand } from './serial-reader.js';

interface Running {
  entry: AcceptedCommand;
  steps: Generator<Wait, Reply, void>;
  wait: Wait;
  /** Next host keepalive; Marlin restarts the interval for every command. */
  nextBusy: number;
}

export interface ExecutorDeps {
  machine: Machine;
  context: HandlerContext;
  /** A queue slot freed: Marlin's main loop reads more serial input before the next command. */
  slotFreed(): void;
  /** An ok went out (Marlin's NO_TIMEOUTS counts idle time from there). */
  acknowledged(): void;
}

/**
 * Marlin's command queue (BUFSIZE slots) and its executor: commands run in
 * order, a blocked handler holds its slot until it finishes, and the ok
 * (with ADVANCED_OK's P and B) is sent after the command's effect.
 */
export class CommandExecutor {
  readonly #deps: ExecutorDeps;
  readonly #slots: number;
  readonly #queue: AcceptedCommand[] = [];
  #running: Running | null = null;
  #interrupted = false;

  constructor(deps: ExecutorDeps) {
    this.#deps = deps;
    this.#slots = deps.machine.options.commandSlots;
  }

  get full(): boolean {
    return this.#queue.length >= this.#slots;
  }

  get empty(): boolean {
    return this.#queue.length === 0;
  }

  enqueue(entry: AcceptedCommand): void {
    this.#queue.push(entry);
  }

  /** Reboot / kill: the queue and the running command vanish. */
  clear(): void {
    this.#queue.length = 0;
    this.#running = null;
  }

  /** Wakes the running command now (M108 ends a heating wait). */
  interrupt(): void {
    if (this.#running) this.#interrupted = true;
  }

  nextDue(): number {
    const running = this.#running;
    if (this.#deps.machine.halted) return Number.POSITIVE_INFINITY;
    if (!running)
      return this.#queue.length > 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    if (this.#interrupted) return Number.NEGATIVE_INFINITY;
    return Math.min(this.#waitDue(running.wait), running.nextBusy);
  }

  /** Runs everything that can run at the machine's current time. */
  run(): void {
    const machine = this.#deps.machine;
    this.#keepalive();
    while (!machine.halted) {
      const running = this.#running;
      if (running) {
        if (!this.#interrupted && !this.#satisfied(running.wait)) return;
        this.#interrupted = false;
        this.#step(running.entry, running.steps);
      } else {
        const next = this.#queue[0];
        if (!next) return;
        this.#start(next);
      }
    }
  }

  #start(entry: AcceptedCommand): void {
    const machine = this.#deps.machine;
    machine.recorder.record(entry.line, entry.command);
    const result = runCommand(parseCommand(entry.command), entry.command, this.#deps.context);
    if (typeof result === 'string') this.#finish(entry, result);
    else this.#step(entry, result);
  }

  #step(entry: AcceptedCommand, steps: Generator<Wait, Reply, void>): void {
    const next = steps.next();
    if (this.#deps.machine.halted) return;
    if (next.done) {
      this.#running = null;
      this.#finish(entry, next.value);
      return;
    }
    const interval = this.#deps.machine.busyIntervalMs;
    const nextBusy =
      this.#running?.nextBusy ??
      (interval > 0 ? this.#deps.machine.time + interval : Number.POSITIVE_INFINITY);
    this.#running = { entry, steps, wait: next.value, nextBusy };
  }

  #finish(entry: AcceptedCommand, reply: Reply): void {
    const machine = this.#deps.machine;
    if (machine.halted) return;
    if (reply === 'ok' && !entry.dropOk) {
      const fields = {
        line: entry.line,
        plannerFree: machine.planner.free(machine.time),
        queueFree: this.#slots - this.#queue.length,
      };
      machine.say(formatOk(machine.options.advancedOk, fields));
    }
    this.#queue.shift();
    this.#deps.acknowledged();
    if (entry.spuriousResend && entry.line !== null) {
      machine.say(`Resend: ${entry.line}`);
      machine.say('ok');
      machine.recorder.counters.resendsRequested++;
    }
    this.#deps.slotFreed();
  }

  /** Marlin's host_keepalive while a handler is blocked (BUSY_WHILE_HEATING is on by default). */
  #keepalive(): void {
    const running = this.#running;
    const machine = this.#deps.machine;
    if (!running || machine.time < running.nextBusy) return;
    machine.say(BUSY_PROCESSING);
    const interval = machine.busyIntervalMs;
    running.nextBusy = interval > 0 ? machine.time + interval : Number.POSITIVE_INFINITY;
  }

  #waitDue(wait: Wait): number {
    const planner = this.#deps.machine.planner;
    if (wait.kind === 'space') return planner.nextFinish();
    if (wait.kind === 'empty') return planner.emptyAt();
    return wait.time;
  }

  #satisfied(wait: Wait): boolean {
    return this.#waitDue(wait) <= this.#deps.machine.time;
  }
}
