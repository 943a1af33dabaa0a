/**
 * Time for the simulator. The core never reads a global clock or arms a global
 * timer: it is handed a `Timing`, so unit tests run it on virtual time
 * (`VirtualClock`) and the pty/CLI wiring supplies the real one.
 */
export interface SimClock {
  /** Milliseconds on a monotonic scale (`performance.now()` for real time). */
  now(): number;
}

export interface TimerScheduler {
  /** Runs `callback` once after `delayMs`; the returned function cancels it. */
  schedule(delayMs: number, callback: () => void): () => void;
}

export type Timing = SimClock & TimerScheduler;

/**
 * Real time: `performance.now()` and `setTimeout` (≥ 1 ms, jittery, hence the
 * engine's catch-up). Work that is already due runs on `setImmediate`, so a
 * link without latency does not pay setTimeout's 1 ms minimum per round trip.
 */
export function realTiming(): Timing {
  return {
    now: () => performance.now(),
    schedule(delayMs, callback) {
      if (delayMs <= 0) {
        const immediate = setImmediate(callback);
        return () => clearImmediate(immediate);
      }
      const handle = setTimeout(callback, delayMs);
      return () => clearTimeout(handle);
    },
  };
}
