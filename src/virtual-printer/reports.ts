import type { Machine } from './machine.js';

/** Marlin's NO_TIMEOUTS: `wait` after a second of idleness, then every second. */
const IDLE_WAIT_MS = 1000;

/**
 * Output Marlin produces on its own: M155 temperature autoreports and the
 * NO_TIMEOUTS `wait`. Both run from idle(), so they also appear while a
 * command blocks.
 */
export class Reports {
  readonly #machine: Machine;
  readonly #isIdle: () => boolean;
  #autoreportMs = 0;
  #nextAutoreport = Number.POSITIVE_INFINITY;
  #lastActivity: number;

  /** `isIdle`: queue empty and nothing in RX, Marlin's condition for `wait`. */
  constructor(machine: Machine, isIdle: () => boolean) {
    this.#machine = machine;
    this.#isIdle = isIdle;
    this.#lastActivity = machine.time;
  }

  setAutoreport(intervalMs: number): void {
    this.#autoreportMs = Math.max(0, intervalMs);
    this.#nextAutoreport =
      intervalMs > 0 ? this.#machine.time + intervalMs : Number.POSITIVE_INFINITY;
  }

  /** A line was queued or an ok went out: the idle timer restarts. */
  activity(): void {
    this.#lastActivity = this.#machine.time;
  }

  reset(): void {
    this.setAutoreport(0);
    this.activity();
  }

  nextDue(): number {
    if (this.#machine.halted) return Number.POSITIVE_INFINITY;
    return Math.min(this.#nextAutoreport, this.#nextIdleWait());
  }

  run(): void {
    const machine = this.#machine;
    if (machine.time >= this.#nextAutoreport) {
      machine.say(machine.temperatures());
      this.#nextAutoreport = machine.time + this.#autoreportMs;
    }
    if (machine.time >= this.#nextIdleWait()) {
      machine.say('wait');
      this.#lastActivity = machine.time;
    }
  }

  #nextIdleWait(): number {
    if (!this.#machine.options.idleWait || !this.#isIdle()) return Number.POSITIVE_INFINITY;
    return this.#lastActivity + IDLE_WAIT_MS;
  }
}
