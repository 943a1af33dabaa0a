import { frameLine } from '../gcode/framing.js';
import type { TestHost } from './test-host.js';

export interface StreamResult {
  /** Virtual ms from the first line sent to the last line acknowledged. */
  elapsedMs: number;
  /** Resend requests the streamer acted on (it ignores duplicates of one it is serving). */
  rewinds: number;
}

/**
 * A small windowed sender for tests: numbered lines with checksums, up to
 * `window` unacknowledged lines, acknowledgements read from ADVANCED_OK's N,
 * rewinds on `Resend:` while ignoring repeats of the request it is already
 * serving. Enough to prove the simulator against a well-behaved host; the
 * real sender lives in src/printer.
 */
export function streamLines(
  t: TestHost,
  commands: readonly string[],
  window: number,
  limitMs = 600_000,
): StreamResult {
  let next = 1;
  let acked = 0;
  let serving: number | null = null;
  let rewinds = 0;
  let seen = t.received.length;
  const start = t.clock.now();
  t.sendLine(0, 'M110 N0');
  const pump = () => {
    for (; next <= commands.length && next - 1 - acked < window; next++) {
      t.host.write(`${frameLine(next, commands[next - 1] ?? '')}\n`);
    }
  };
  const handle = (text: string) => {
    const ok = /^ok N(\d+)/.exec(text);
    const resend = /^Resend: (\d+)/.exec(text);
    if (ok) {
      acked = Math.max(acked, Number(ok[1]));
      if (serving !== null && acked >= serving) serving = null;
    } else if (resend) {
      const line = Number(resend[1]);
      if (line === serving) return;
      serving = line;
      rewinds++;
      acked = Math.min(acked, line - 1);
      next = line;
    }
  };
  pump();
  t.clock.runUntil(
    () => {
      for (; seen < t.received.length; seen++) handle(t.received[seen]?.text ?? '');
      pump();
      return acked >= commands.length;
    },
    limitMs,
    0.25,
  );
  return { elapsedMs: t.clock.now() - start, rewinds };
}
