import { type GcodeCommand, numberParam } from './gcode-words.js';

const AXES = ['X', 'Y', 'Z', 'E'] as const;
type Axis = (typeof AXES)[number];
/** Steps per mm for M114's `Count` line (a typical Cartesian printer). */
const STEPS_PER_MM: Record<Axis, number> = { X: 80, Y: 80, Z: 400, E: 93 };

/**
 * The logical position Marlin reports with M114 (the end of the last planned
 * move), with G90/G91 and M82/M83 modes and G92 offsets folded in.
 */
export class MotionState {
  readonly #pos: Record<Axis, number> = { X: 0, Y: 0, Z: 0, E: 0 };
  #relative = false;
  #relativeE = false;

  reset(): void {
    for (const axis of AXES) this.#pos[axis] = 0;
    this.#relative = false;
    this.#relativeE = false;
  }

  /** G90 / G91 switch every axis including E (Marlin's set_relative_mode); M82 / M83 only E. */
  setRelative(relative: boolean): void {
    this.#relative = relative;
    this.#relativeE = relative;
  }

  setRelativeE(relative: boolean): void {
    this.#relativeE = relative;
  }

  /** G0-G3: moves to the target given in the current modes. */
  move(cmd: GcodeCommand): void {
    for (const axis of AXES) {
      const value = numberParam(cmd, axis);
      if (value === undefined) continue;
      const relative = axis === 'E' ? this.#relativeE : this.#relative;
      this.#pos[axis] = relative ? this.#pos[axis] + value : value;
    }
  }

  /** G92: declares the current position without moving. */
  setPosition(cmd: GcodeCommand): void {
    for (const axis of AXES) {
      const value = numberParam(cmd, axis);
      if (value !== undefined) this.#pos[axis] = value;
    }
  }

  /** G28: the named axes (all of X, Y, Z when none is named) go to 0. */
  home(cmd: GcodeCommand): void {
    const named = (['X', 'Y', 'Z'] as const).filter((axis) => cmd.params.has(axis));
    for (const axis of named.length > 0 ? named : (['X', 'Y', 'Z'] as const)) this.#pos[axis] = 0;
  }

  /** M114's answer: `X:0.00 Y:0.00 Z:0.00 E:0.00 Count X:0 Y:0 Z:0`. */
  report(): string {
    const p = this.#pos;
    const count = (axis: Axis) => Math.round(p[axis] * STEPS_PER_MM[axis]);
    return (
      `X:${p.X.toFixed(2)} Y:${p.Y.toFixed(2)} Z:${p.Z.toFixed(2)} E:${p.E.toFixed(2)} ` +
      `Count X:${count('X')} Y:${count('Y')} Z:${count('Z')}`
    );
  }
}
