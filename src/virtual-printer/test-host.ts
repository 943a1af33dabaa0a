import { frameLine } from '../gcode/framing.js';
import { createMemoryLink } from './memory-link.js';
import type { VirtualPrinterOptionsInput } from './options.js';
import { VirtualClock } from './virtual-clock.js';
import { VirtualPrinter } from './virtual-printer.js';

/** A line the host received, with the virtual time it became visible. */
export interface Received {
  time: number;
  text: string;
}

/**
 * A scripted host on a memory link and virtual time, for tests here and in
 * the host's own suites: it records every line with its arrival time.
 * Defaults remove wire time and latency so answers are easy to reason about;
 * pass baud/latencyMs to test timing.
 */
export function createTestHost(options: VirtualPrinterOptionsInput = {}) {
  const clock = new VirtualClock();
  const { host, printerSide } = createMemoryLink();
  const printer = new VirtualPrinter(
    { baud: 0, latencyMs: 0, ...options },
    { link: printerSide, timing: clock },
  );
  const received: Received[] = [];
  let partial = '';
  let closedWith: Error | undefined | null = null;
  host.onData((chunk) => {
    const parts = (partial + chunk.toString('latin1')).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) received.push({ time: clock.now(), text });
  });
  host.onClose((error) => {
    closedWith = error;
  });
  printer.start();
  return {
    clock,
    host,
    printer,
    received,
    /** Lines received so far (text only). */
    lines: () => received.map((r) => r.text),
    /** Lines received after the first `skip` ones. */
    linesFrom: (skip: number) => received.slice(skip).map((r) => r.text),
    /** The error the link closed with: null while open, undefined after a clean close. */
    closedWith: () => closedWith,
    send: (text: string) => host.write(`${text}\n`),
    sendLine: (n: number, command: string) => host.write(`${frameLine(n, command)}\n`),
    /** Advances virtual time until a received line satisfies `match`; returns it. */
    waitFor(match: (text: string) => boolean, limitMs = 60_000): Received {
      const from = received.length;
      let found: Received | undefined;
      clock.runUntil(() => {
        found = received.slice(from).find((r) => match(r.text));
        return found !== undefined;
      }, limitMs);
      if (!found) throw new Error('unreachable');
      return found;
    },
  };
}

export type TestHost = ReturnType<typeof createTestHost>;
