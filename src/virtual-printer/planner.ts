/**
 * Marlin's motion planner as a timeline: each move occupies a block from the
 * moment it is planned until the steppers finish it, moves run back to back
 * (move i ends at max(end of i-1, its planning time) + moveTimeMs). Occupancy
 * at any time is derived from the finish times, so no timer per move exists.
 */
const QUICK_STOP_DISCARD_MS = 1000; // Marlin's cleaning_buffer_counter: one second of TEMP_TIMER ticks

export class Planner {
  /** As in Marlin's ring, one block stays empty: moves_free() = BLOCK_BUFFER_SIZE - 1 - planned. */
  readonly #capacity: number;
  readonly #moveTimeMs: number;
  readonly #finishes: number[] = [];
  #head = 0;
  #lastFinish = Number.NEGATIVE_INFINITY;
  #discardUntil = Number.NEGATIVE_INFINITY;
  #hadMove = false;
  #drainExpected = true;
  #underruns = 0;
  #starvedMs = 0;

  constructor(slots: number, moveTimeMs: number) {
    this.#capacity = slots - 1;
    this.#moveTimeMs = moveTimeMs;
  }

  /** Planner blocks free at `time` (ADVANCED_OK's `P`). */
  free(time: number): number {
    return this.#capacity - this.#occupancy(time);
  }

  /** When the oldest planned move finishes (a block frees up). */
  nextFinish(): number {
    return this.#finishes[this.#head] ?? Number.NEGATIVE_INFINITY;
  }

  /** When the last planned move finishes (the planner is empty from then on). */
  emptyAt(): number {
    return this.#lastFinish;
  }

  /**
   * Plans a move at `time` (caller checked `free(time) > 0`). Returns false when
   * the move is discarded because a quick stop (M410) happened less than a second ago.
   */
  add(time: number): boolean {
    if (time < this.#discardUntil) return false;
    this.#countUnderrun(time);
    const finish = Math.max(this.#lastFinish, time) + this.#moveTimeMs;
    this.#finishes.push(finish);
    this.#lastFinish = finish;
    return true;
  }

  /** A command that drains the planner on purpose (G28, M400, G4, heating) ran. */
  expectDrain(): void {
    this.#drainExpected = true;
  }

  /** M410 / kill: drops every block; moves planned in the next second are refused. */
  quickStop(time: number): void {
    this.#finishes.length = 0;
    this.#head = 0;
    this.#lastFinish = Math.min(this.#lastFinish, time);
    this.#discardUntil = time + QUICK_STOP_DISCARD_MS;
    this.#drainExpected = true;
  }

  /** A reboot: empty planner, no quick-stop window. */
  clear(time: number): void {
    this.quickStop(time);
    this.#discardUntil = Number.NEGATIVE_INFINITY;
  }

  /** Times the planner ran dry between two moves of a stream (the host was too slow). */
  underruns(): { count: number; starvedMs: number } {
    return { count: this.#underruns, starvedMs: this.#starvedMs };
  }

  #countUnderrun(time: number): void {
    const dry = this.#occupancy(time) === 0 && this.#lastFinish < time;
    if (dry && this.#hadMove && !this.#drainExpected && this.#moveTimeMs > 0) {
      this.#underruns++;
      this.#starvedMs += time - this.#lastFinish;
    }
    this.#hadMove = true;
    this.#drainExpected = false;
  }

  #occupancy(time: number): number {
    while (this.#head < this.#finishes.length && (this.#finishes[this.#head] ?? 0) <= time) {
      this.#head++;
    }
    if (this.#head > 256) {
      this.#finishes.splice(0, this.#head);
      this.#head = 0;
    }
    return this.#finishes.length - this.#head;
  }
}
