/**
 * A heater as a piecewise-linear function of time: it heats toward its target
 * at `heatRate` °C/s and otherwise drifts toward max(target, ambient) at a
 * slower rate. Being analytic, the moment a target is reached is computed, not
 * polled, which keeps M109/M190 exact on virtual time.
 */
export const AMBIENT_C = 22;
/** Passive cooling is slower than active heating; a fifth of it looks plausible. */
const COOL_SHARE = 0.2;
/** Within this of the goal counts as reached (floating-point slack). */
const REACHED_EPSILON = 0.01;

export type WaitMode = 'heat' | 'cool' | 'either';

export class Heater {
  readonly #heatRate: number;
  readonly #coolRate: number;
  #since: number;
  #startTemp = AMBIENT_C;
  #target = 0;

  constructor(heatRatePerS: number, time: number) {
    this.#heatRate = heatRatePerS / 1000;
    this.#coolRate = (heatRatePerS * COOL_SHARE) / 1000;
    this.#since = time;
  }

  get target(): number {
    return this.#target;
  }

  temperature(time: number): number {
    const dt = Math.max(0, time - this.#since);
    const { goal, rate } = this.#course();
    if (goal >= this.#startTemp) return Math.min(goal, this.#startTemp + rate * dt);
    return Math.max(goal, this.#startTemp - rate * dt);
  }

  setTarget(time: number, target: number): void {
    this.#startTemp = this.temperature(time);
    this.#since = time;
    this.#target = Math.max(0, target);
  }

  /** Has the heater reached `goal` in the direction `mode` at `time`? */
  reached(time: number, goal: number, mode: WaitMode): boolean {
    const temp = this.temperature(time);
    if (mode === 'heat') return temp >= goal - REACHED_EPSILON;
    if (mode === 'cool') return temp <= goal + REACHED_EPSILON;
    return Math.abs(temp - goal) <= REACHED_EPSILON;
  }

  /** When `goal` will be reached on the current course (Infinity if never). */
  reachTime(time: number, goal: number, mode: WaitMode): number {
    if (this.reached(time, goal, mode)) return time;
    const { goal: end, rate } = this.#course();
    const rising = end >= this.#startTemp;
    const passes = rising ? end >= goal - REACHED_EPSILON : end <= goal + REACHED_EPSILON;
    if (!passes || (rising && mode === 'cool') || (!rising && mode === 'heat')) {
      return Number.POSITIVE_INFINITY;
    }
    return Math.max(time, this.#since + Math.abs(goal - this.#startTemp) / rate);
  }

  #course(): { goal: number; rate: number } {
    if (this.#target > this.#startTemp) return { goal: this.#target, rate: this.#heatRate };
    return { goal: Math.max(this.#target, AMBIENT_C), rate: this.#coolRate };
  }
}
