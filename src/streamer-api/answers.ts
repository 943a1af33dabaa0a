/**
 * Answers of the StreamerAPI. Loose objects: a cloud may add fields (the real one sends
 * more than the protocol doc lists), but every field we read is checked.
 */
import { z } from 'zod';

export const cloudErrorSchema = z.object({
  code: z.number().int(),
  message: z.string().max(2048),
});
export type CloudError = z.infer<typeof cloudErrorSchema>;

const jobId = z.union([z.string().max(128), z.number().int()]);

/** A profile list arrives as an array or as a JSON string of one (§1.5). */
const profiles = z.union([z.array(z.unknown()), z.string()]);

export const userLoginAnswerSchema = z.looseObject({
  user_token: z.string().min(1).max(512).optional(),
  user_login: z.string().max(254).optional(),
  all_profiles: profiles.optional(),
  settings_mod: z.record(z.string(), z.unknown()).optional(),
  error: cloudErrorSchema.optional(),
});
export type UserLoginAnswer = z.infer<typeof userLoginAnswerSchema>;

export const printerLoginAnswerSchema = z.looseObject({
  printer_token: z.string().min(1).max(512).optional(),
  printer_profile: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
  name: z.string().max(255).optional(),
  current_groups: z.array(z.unknown()).optional(),
  camera: z.string().max(64).optional(),
  conn_id: z.string().max(64).optional(),
  error: cloudErrorSchema.optional(),
});
export type PrinterLoginAnswer = z.infer<typeof printerLoginAnswerSchema>;

/**
 * One command (§1.7.3). `number` is kept as sent: a number that does not parse as an
 * integer must be acknowledged with error 112, so the schema cannot reject it.
 */
export const commandAnswerSchema = z.looseObject({
  command: z.string().max(128).nullable().optional(),
  number: z.union([z.number(), z.string().max(32)]).optional(),
  payload: z.unknown().optional(),
  is_link: z.boolean().optional(),
  filename: z.string().max(1024).optional(),
  size: z.number().int().min(0).optional(),
  zip: z.boolean().optional(),
  job_id: jobId.optional(),
  job_snr: jobId.optional(),
  print_options: z.record(z.string(), z.unknown()).optional(),
  printing_duration: z.number().min(0).optional(),
  error: cloudErrorSchema.optional(),
});
export type CommandAnswer = z.infer<typeof commandAnswerSchema>;

export const queuedJobSchema = z.looseObject({
  id: jobId,
  filename: z.string().max(1024),
  preview_image: z.string().max(4096).nullable().optional(),
  printing_duration: z.number().min(0).nullable().optional(),
});
export type QueuedJob = z.infer<typeof queuedJobSchema>;

/** An array of jobs (first = next), or an object with `error`. */
export const queuedJobsAnswerSchema = z.union([
  z.array(queuedJobSchema).max(10_000),
  z.looseObject({ error: cloudErrorSchema.optional() }),
]);
export type QueuedJobsAnswer = z.infer<typeof queuedJobsAnswerSchema>;

export const startQueuedJobAnswerSchema = z.looseObject({ error: cloudErrorSchema.optional() });
export type StartQueuedJobAnswer = z.infer<typeof startQueuedJobAnswerSchema>;

/** `state` 1 = somebody watches this camera. */
export const cameraAnswerSchema = z.looseObject({
  state: z.union([z.literal(0), z.literal(1)]).optional(),
  error: cloudErrorSchema.optional(),
});
export type CameraAnswer = z.infer<typeof cameraAnswerSchema>;

export const sendLogsAnswerSchema = z.looseObject({
  success: z.boolean().optional(),
  error: cloudErrorSchema.optional(),
});
export type SendLogsAnswer = z.infer<typeof sendLogsAnswerSchema>;
