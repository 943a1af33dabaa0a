import { z } from 'zod';
import { PrintosError } from '../core/errors.js';
import { DEFAULT_SENDER_CONFIG, type SenderConfig } from '../printer/sender/types.js';

/**
 * Per-printer settings: the part of the sender's behaviour a user may need to
 * change for one machine. Everything else is a constant in DEFAULT_SENDER_CONFIG.
 */
export const printerSettingsSchema = z
  .object({
    /** `window` keeps the firmware's buffers full; `ping-pong` (one line in flight) for firmware that misbehaves with it. */
    flow: z.enum(['window', 'ping-pong']).default('window'),
    /** The firmware's serial receive buffer (Marlin RX_BUFFER_SIZE; 128 on AVR boards). */
    rxBufferBytes: z.number().int().min(32).max(65_536).default(128),
    /** Command slots (Marlin BUFSIZE) to assume before ADVANCED_OK reports them; 1 is always safe. */
    commandSlots: z.number().int().min(1).max(64).default(1),
    /** Strip `(…)` comments (RepRap style). */
    parenComments: z.boolean().default(false),
    /** Pulse DTR on connect to reset the board (off for boards that must not reset). */
    resetOnConnect: z.boolean().default(true),
    cancelCommands: z
      .array(z.string().min(1).max(90))
      .default(DEFAULT_SENDER_CONFIG.cancelCommands),
    pauseCommands: z.array(z.string().min(1).max(90)).default([]),
    resumeCommands: z.array(z.string().min(1).max(90)).default([]),
  })
  .strict();

export type PrinterSettings = z.infer<typeof printerSettingsSchema>;

export function parsePrinterSettings(input: unknown, where = 'printer settings'): PrinterSettings {
  const result = printerSettingsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new PrintosError('CONFIG_INVALID', `Invalid ${where}: ${problems.join('; ')}`, {
    problems,
  });
}

export function senderConfigFor(settings: PrinterSettings): SenderConfig {
  return {
    ...DEFAULT_SENDER_CONFIG,
    flow: settings.flow,
    rxBufferBytes: settings.rxBufferBytes,
    commandSlots: settings.commandSlots,
    cancelCommands: settings.cancelCommands,
    pauseCommands: settings.pauseCommands,
    resumeCommands: settings.resumeCommands,
  };
}
