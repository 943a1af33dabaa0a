import { z } from 'zod';
import { PrintosError } from '../core/errors.js';

export const FAULT_KINDS = [
  'corrupt',
  'drop-ok',
  'spurious-resend',
  'reset',
  'disconnect',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const faultAtSchema = z
  .object({ kind: z.enum(FAULT_KINDS), line: z.number().int().min(0) })
  .strict();
export type FaultAt = z.infer<typeof faultAtSchema>;

/**
 * Everything that shapes the simulated printer. Defaults are Marlin's shipped
 * values on an AVR board at 250000 baud behind a USB-serial chip.
 */
export const virtualPrinterOptionsSchema = z
  .object({
    /** Serial RX ring (Marlin RX_BUFFER_SIZE); as on AVR, one byte of the ring stays empty. */
    rxBufferBytes: z.number().int().min(2).max(65_536).default(128),
    /** Command queue slots (Marlin BUFSIZE). */
    commandSlots: z.number().int().min(1).max(64).default(4),
    /** Planner ring (Marlin BLOCK_BUFFER_SIZE); one slot stays empty, so `P` reads slots-1 when idle. */
    plannerSlots: z.number().int().min(2).max(256).default(16),
    /** Time the steppers spend on each move; 0 = moves complete as they are planned. */
    moveTimeMs: z.number().min(0).default(0),
    /** Wire speed in both directions, 10 bits per byte (8N1); 0 = no wire time. */
    baud: z.number().int().min(0).default(250_000),
    /** One-way latency added to every byte in both directions (USB frames, drivers). */
    latencyMs: z.number().min(0).default(1),
    /** Marlin ADVANCED_OK: `ok N<n> P<planner free> B<queue free>`. */
    advancedOk: z.boolean().default(true),
    /** Marlin host keepalive (`echo:busy: processing`); 0 = off. M113 changes it at run time. */
    busyIntervalMs: z.number().min(0).default(2000),
    /** Heating speed of hotend and bed in °C/s (fast by default so demos do not wait). */
    heatRate: z.number().positive().default(50),
    /** Duration of G28/G29 once the planner is empty. */
    homeTimeMs: z.number().min(0).default(1500),
    /**
     * Newer Marlin (bugfix-2.1.x) silently drops a line numbered last or last-1 (a resend
     * that crossed a resend request) instead of answering it with a line-number error.
     */
    skipDuplicateLines: z.boolean().default(false),
    /** Marlin NO_TIMEOUTS: `wait` every second while idle with an empty queue. */
    idleWait: z.boolean().default(false),
    /** Faults at given line numbers. */
    faults: z.array(faultAtSchema).default([]),
    /** Probability of a fault on each line (first reception), drawn from `seed`. */
    faultRate: z.number().min(0).max(1).default(0),
    /** Kinds the random faults choose from. */
    faultKinds: z.array(z.enum(FAULT_KINDS)).min(1).default(['corrupt']),
    /** Seed of every random choice (random faults, corrupted byte). */
    seed: z.number().int().min(0).max(0xffff_ffff).default(1),
  })
  .strict();

export type VirtualPrinterOptions = z.output<typeof virtualPrinterOptionsSchema>;
export type VirtualPrinterOptionsInput = z.input<typeof virtualPrinterOptionsSchema>;

/** Validates options, reporting every problem with its path in one INVALID_ARGUMENT. */
export function resolveOptions(input: VirtualPrinterOptionsInput = {}): VirtualPrinterOptions {
  const result = virtualPrinterOptionsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (i) => `${i.path.join('.') || '(options)'}: ${i.message}`,
  );
  throw new PrintosError(
    'INVALID_ARGUMENT',
    `Invalid virtual printer options: ${problems.join('; ')}`,
    {
      problems,
    },
  );
}
