import { PrintosError } from '../core/errors.js';
import {
  FAULT_KINDS,
  type FaultAt,
  type FaultKind,
  type VirtualPrinterOptions,
} from './options.js';
import { lineRandom } from './prng.js';

/** Parses `corrupt@120,drop-ok@300,reset@500` (the CLI's --faults). */
export function parseFaultSpec(spec: string): FaultAt[] {
  const items = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return items.map((item) => {
    const match = /^([a-z-]+)@(\d+)$/.exec(item);
    const kind = match?.[1];
    if (!match || !isFaultKind(kind)) {
      throw new PrintosError(
        'INVALID_ARGUMENT',
        `Bad fault "${item}": expected KIND@LINE with KIND one of ${FAULT_KINDS.join(', ')}`,
      );
    }
    return { kind, line: Number(match[2]) };
  });
}

/** Parses `corrupt,drop-ok` (the CLI's --fault-kinds). */
export function parseFaultKinds(list: string): FaultKind[] {
  const kinds = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const kind of kinds) {
    if (!isFaultKind(kind)) {
      throw new PrintosError(
        'INVALID_ARGUMENT',
        `Unknown fault kind "${kind}": expected ${FAULT_KINDS.join(', ')}`,
      );
    }
  }
  if (kinds.length === 0) throw new PrintosError('INVALID_ARGUMENT', 'No fault kinds given');
  return kinds as FaultKind[];
}

function isFaultKind(value: string | undefined): value is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(value ?? '');
}

export interface FaultDraw {
  readonly kinds: readonly FaultKind[];
  /** Further random numbers for this line (which byte to corrupt). */
  random: () => number;
}

export const NO_FAULTS: FaultDraw = Object.freeze({ kinds: [], random: () => 0 });

/**
 * Decides the faults of each line. A line's faults fire once, the first time
 * that line number is accepted, so the host's resend of it goes through.
 */
export class FaultPlan {
  readonly #scripted = new Map<number, FaultKind[]>();
  readonly #fired = new Set<number>();
  readonly #rate: number;
  readonly #kinds: readonly FaultKind[];
  readonly #seed: number;

  constructor(
    options: Pick<VirtualPrinterOptions, 'faults' | 'faultRate' | 'faultKinds' | 'seed'>,
  ) {
    for (const { kind, line } of options.faults) {
      this.#scripted.set(line, [...(this.#scripted.get(line) ?? []), kind]);
    }
    this.#rate = options.faultRate;
    this.#kinds = options.faultKinds;
    this.#seed = options.seed;
  }

  take(line: number): FaultDraw {
    if (this.#rate === 0 && !this.#scripted.has(line)) return NO_FAULTS;
    if (this.#fired.has(line)) return NO_FAULTS;
    this.#fired.add(line);
    const random = lineRandom(this.#seed, line);
    const kinds = [...(this.#scripted.get(line) ?? [])];
    if (this.#rate > 0 && random() < this.#rate) {
      const kind = this.#kinds[Math.floor(random() * this.#kinds.length)];
      if (kind && !kinds.includes(kind)) kinds.push(kind);
    }
    return kinds.length === 0 ? NO_FAULTS : { kinds, random };
  }
}

const BIT_MASKS = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40] as const;
/** Bytes a flip must not create: they would re-frame the line instead of corrupting it. */
const FRAMING_BYTES = new Set([0x00, 0x08, 0x0a, 0x0d, 0x2a, 0x3b, 0x5c]);

/**
 * Flips one bit of one byte as a noisy wire would, inside the command text
 * (between the line number and the `*`), so that Marlin's checksum catches it.
 * Flipping the `N` itself would turn the line into an unchecked one, which
 * is a different fault from the one asked for.
 */
export function corruptLine(line: Uint8Array, random: () => number): Uint8Array {
  const out = Uint8Array.from(line);
  const [from, to] = corruptibleRange(out);
  if (to <= from) return out;
  const index = from + Math.floor(random() * (to - from));
  const original = out[index] ?? 0;
  const start = Math.floor(random() * BIT_MASKS.length);
  for (let i = 0; i < BIT_MASKS.length; i++) {
    const flipped = original ^ (BIT_MASKS[(start + i) % BIT_MASKS.length] ?? 1);
    if (!FRAMING_BYTES.has(flipped)) {
      out[index] = flipped;
      break;
    }
  }
  return out;
}

function corruptibleRange(line: Uint8Array): [number, number] {
  const star = line.lastIndexOf(0x2a);
  const end = star > 0 ? star : line.length;
  const space = line.indexOf(0x20);
  const begin = line[0] === 0x4e && space > 0 && space < end ? space + 1 : 1;
  return [begin, end];
}
