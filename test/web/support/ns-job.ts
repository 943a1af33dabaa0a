/** What ns-browser.ts asks of ns-browser-runner.ts, validated on both sides. */
import { z } from 'zod';
import { StepSchema } from './steps.js';

export const RESULT_MARK = 'PRINTOS-NS-RESULT ';
export const WS_MARK = 'PRINTOS-NS-WS ';

/** The browser context options a job may set (HTTPS tests need ignoreHTTPSErrors). */
export const ContextSchema = z.strictObject({
  ignoreHTTPSErrors: z.boolean().optional(),
  viewport: z.strictObject({ width: z.number().int(), height: z.number().int() }).optional(),
  locale: z.string().optional(),
  extraHTTPHeaders: z.record(z.string(), z.string()).optional(),
});

export type BrowseContext = z.infer<typeof ContextSchema>;

const common = {
  /** Hosts the browser may reach besides loopback (the host's end of the veth). */
  allowHosts: z.array(z.string()),
  context: ContextSchema.optional(),
  stepTimeoutMs: z.number().int().positive().optional(),
};

export const JobSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('steps'), steps: z.array(StepSchema), ...common }),
  z.strictObject({
    kind: z.literal('module'),
    module: z.string().min(1),
    arg: z.unknown().optional(),
    ...common,
  }),
  z.strictObject({ kind: z.literal('server'), host: z.string(), allowHosts: z.array(z.string()) }),
]);

export type Job = z.infer<typeof JobSchema>;
