import type { Timing } from './clock.js';

interface PendingTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * Deterministic virtual time for tests: nothing happens until `advance()`,
 * which fires due timers in time order (ties in scheduling order), moving
 * `now()` to each timer's due time before calling it.
 */
export class VirtualClock implements Timing {
  #now: number;
  #seq = 0;
  #timers: PendingTimer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  schedule(delayMs: number, callback: () => void): () => void {
    const timer = { at: this.#now + Math.max(0, delayMs), seq: this.#seq++, callback };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.#now + ms);
  }

  advanceTo(time: number): void {
    for (let next = this.#takeDue(time); next; next = this.#takeDue(time)) {
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = Math.max(this.#now, time);
  }

  /**
   * Advances in `stepMs` steps until `done()` holds; throws after `limitMs`
   * so a test that waits for something that never comes fails instead of hanging.
   */
  runUntil(done: () => boolean, limitMs = 600_000, stepMs = 1): number {
    const start = this.#now;
    while (!done()) {
      if (this.#now - start > limitMs) throw new Error(`condition not met within ${limitMs} ms`);
      this.advance(stepMs);
    }
    return this.#now - start;
  }

  #takeDue(time: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (t.at > time) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    if (best) this.#timers = this.#timers.filter((t) => t !== best);
    return best;
  }
}
