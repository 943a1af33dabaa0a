import type { Timing } from './clock.js';

/** Something that has work due at a simulated time. */
export interface EventSource {
  /** When it next has work (−Infinity: right away, +Infinity: nothing pending). */
  nextDue(): number;
  /** Does the work due at `time` (the engine has already advanced to it). */
  run(time: number): void;
}

/** A wake that processes this many events is looping without progress: a bug, not load. */
const STUCK_LIMIT = 50_000_000;

/**
 * Discrete-event loop on simulated time. It arms ONE timer for the earliest
 * due event; on wake it processes, in time order, everything due by `now()`
 * (catching up when the timer fired late), so the simulation keeps exact
 * timestamps however coarse the real timers are. Ties go to the source listed first.
 */
export class Engine {
  readonly #timing: Timing;
  readonly #sources: readonly EventSource[];
  readonly #advance: (time: number) => void;
  #time: number;
  #cancel: (() => void) | null = null;
  #armedFor = Number.POSITIVE_INFINITY;
  #running = false;
  #stopped = false;

  /** `advance` is told every new simulated time before any source runs. */
  constructor(timing: Timing, sources: readonly EventSource[], advance: (time: number) => void) {
    this.#timing = timing;
    this.#sources = sources;
    this.#advance = advance;
    this.#time = timing.now();
  }

  get time(): number {
    return this.#time;
  }

  /** New input arrived from outside: make sure a timer is armed early enough. */
  poke(): void {
    if (!this.#running && !this.#stopped) this.#arm();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  /** Processes everything due up to `limit` (for a wake, and for tests that step by hand). */
  runUntil(limit: number): void {
    this.#running = true;
    try {
      for (let steps = 0; !this.#stopped; steps++) {
        if (steps > STUCK_LIMIT) throw new Error('virtual printer: event loop made no progress');
        const [source, due] = this.#earliest();
        if (!source || due > limit) break;
        this.#time = Math.max(this.#time, due);
        this.#advance(this.#time);
        source.run(this.#time);
      }
    } finally {
      this.#running = false;
    }
  }

  #earliest(): [EventSource | undefined, number] {
    let best: EventSource | undefined;
    let due = Number.POSITIVE_INFINITY;
    for (const source of this.#sources) {
      const d = source.nextDue();
      if (d < due) {
        due = d;
        best = source;
      }
    }
    return [best, due];
  }

  #wake(): void {
    this.#cancel = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
    this.runUntil(this.#timing.now());
    if (!this.#stopped) this.#arm();
  }

  #arm(): void {
    const due = this.#earliest()[1];
    if (due >= this.#armedFor || due === Number.POSITIVE_INFINITY) return;
    this.#cancel?.();
    this.#armedFor = due;
    this.#cancel = this.#timing.schedule(Math.max(0, due - this.#timing.now()), () => this.#wake());
  }
}
