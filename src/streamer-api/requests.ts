/**
 * Requests of the StreamerAPI (protocol doc §1.5–§1.12): the client builds them, the
 * self-hosted cloud validates them with the same schemas. Field names are the wire's.
 */
import { z } from 'zod';
import { ERROR_LEVEL } from './codes.js';

const text = (max: number) => z.string().max(max);
const jobId = z.union([z.string().max(128), z.number().int()]);

/** The original's report states, plus the event-only `cancel` (§1.7.2). */
export const REPORT_STATES = [
  'ready',
  'connecting',
  'error',
  'downloading',
  'printing',
  'paused',
  'local_mode',
  'bed_not_clear',
  'cancel',
] as const;
export type ReportState = (typeof REPORT_STATES)[number];

export const PLATFORMS = ['rpi', 'linux', 'mac', 'win'] as const;

/**
 * A printer's identity (§4.2): VID and PID are 4 upper-case hex digits for USB, or a
 * 4-letter pseudo id; SNR is the USB serial number or "". Other keys (COM, …) may ride along.
 */
export const printerIdSchema = z.looseObject({
  VID: z.string().regex(/^[0-9A-Z]{4}$/, 'VID must be 4 characters, 0-9 or A-Z'),
  PID: z.string().regex(/^[0-9A-Z]{4}$/, 'PID must be 4 characters, 0-9 or A-Z'),
  SNR: text(128),
});
export type PrinterId = z.infer<typeof printerIdSchema>;

export const userLoginRequestSchema = z.object({
  login: z.object({
    user: text(254).min(1),
    /** SHA-256 hex of the typed password (§1.5), never the password itself. */
    password: z.string().regex(/^[0-9a-f]{64}$/, 'password must be a SHA-256 hex digest'),
    disposable_token: z.string().max(512).nullable(),
  }),
  platform: z.enum(PLATFORMS),
  host_mac: text(64).min(1),
  local_ip: text(64),
  version: text(64).min(1),
  branch_token: text(512).optional(),
  profiles_sha256: text(64),
});
export type UserLoginRequest = z.infer<typeof userLoginRequestSchema>;

export const printerLoginRequestSchema = z.object({
  user_token: text(512).min(1),
  printer: printerIdSchema,
  version: text(64).min(1),
  message_time: text(64),
  camera: text(64),
  verbose: z.boolean(),
  no_job_fail: z.boolean(),
  profiles_version: z.literal('v2'),
  select_conn_id: text(64).optional(),
  select_printer_type: text(128).optional(),
});
export type PrinterLoginRequest = z.infer<typeof printerLoginRequestSchema>;

const temps = z.array(z.number().finite()).max(16);

/**
 * A report. Delta compression (§1.7.2) omits unchanged optional fields; `state` is
 * always present, `percent`/`temps`/`target_temps` whenever the printer is connected.
 * Loose: the original merges driver extras at the top level.
 */
export const reportSchema = z.looseObject({
  state: z.enum(REPORT_STATES),
  percent: z.number().min(0).max(100).optional(),
  temps: temps.optional(),
  target_temps: temps.optional(),
  line_number: z.number().int().min(0).optional(),
  coords: z.array(z.number().finite()).max(8).optional(),
  material_names: z.array(z.string().max(128)).nullable().optional(),
  material_desc: z.array(z.string().max(128).nullable()).nullable().optional(),
  material_volumes: z.array(z.number()).nullable().optional(),
  material_colors_hex: z.array(z.string().max(16)).nullable().optional(),
  estimated_time: z.number().int().min(0).nullable().optional(),
  ext: z.record(z.string(), z.unknown()).optional(),
  response: z.array(z.string().max(4096)).max(1000).optional(),
  clouds_job_id: jobId.optional(),
  printers_job_id: text(128).optional(),
  filename: text(255).optional(),
});
export type Report = z.infer<typeof reportSchema>;

export const commandAckSchema = z.object({
  number: z.number().int(),
  result: z.boolean(),
});
export type CommandAck = z.infer<typeof commandAckSchema>;

const levels = Object.values(ERROR_LEVEL) as [number, ...number[]];
export const reportErrorSchema = z.object({
  code: z.number().int(),
  message: text(2048),
  level: z
    .number()
    .int()
    .refine((l) => levels.includes(l), 'unknown error level'),
});
export type ReportError = z.infer<typeof reportErrorSchema>;

export const commandRequestSchema = z.object({
  printer_token: text(512).min(1),
  report: reportSchema,
  command_ack: commandAckSchema.optional(),
  error: z.array(reportErrorSchema).max(100).optional(),
  /** `true` on the first request after each (re)connection; the 2018 client sent 1. */
  reset_job: z.union([z.boolean(), z.literal(1)]).optional(),
  select_printer_type: text(128).optional(),
  selected_groups: z.array(z.unknown()).max(100).optional(),
  select_name: text(255).optional(),
  reset_printer_type: z.boolean().optional(),
  camera_change: text(64).optional(),
  bed_clear: z.boolean().optional(),
});
export type CommandRequest = z.infer<typeof commandRequestSchema>;

export const getQueuedJobsRequestSchema = z.object({ printer_token: text(512).min(1) });
export type GetQueuedJobsRequest = z.infer<typeof getQueuedJobsRequestSchema>;

export const startQueuedJobRequestSchema = z.object({
  printer_token: text(512).min(1),
  job_id: jobId,
  automatic: z.boolean().optional(),
});
export type StartQueuedJobRequest = z.infer<typeof startQueuedJobRequestSchema>;

/** A camera frame in JSON mode; `file_data` is base64 JPEG or the keep-alive "S". */
export const cameraRequestSchema = z.object({
  user_token: text(512).min(1),
  camera_number: z.number().int().min(1).max(16),
  camera_name: text(64),
  file_data: z.string().max(4 * 1024 * 1024),
  host_mac: text(64),
});
export type CameraRequest = z.infer<typeof cameraRequestSchema>;

/** Form fields and file parts of the multipart `sendlogs` upload (§1.12). */
export const SENDLOGS_FIELDS = {
  token: 'user_token',
  bundle: 'file_data',
  report: 'report_file',
  integrationRequest: 'integration_request_file',
} as const;
