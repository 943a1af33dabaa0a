/**
 * The client's settings: one strict zod schema. Every field has a default, so a missing
 * file or key means "the default", and every field's `.describe()` text is its
 * documentation: `printos config list` shows it, so it is written for users.
 *
 * To add settings (e.g. the web interface's `web.*`), add a section like `local` below:
 * a strictObject whose fields all have defaults, then `.prefault({})`. The key list,
 * `config get/set` and their type-directed parsing follow from the schema.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { PrintosError } from '../core/errors.js';
import { isLoopbackHost } from '../core/loopback.js';

export const SETTINGS_VERSION = 1;

const tcpPort = z.number().int().min(1).max(65_535);

export { isLoopbackHost };

/** Why `value` is not an acceptable cloud.url, or undefined when it is. */
export function cloudUrlProblem(value: string): string | undefined {
  if (value === 'embedded') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be "embedded" or a URL such as https://cloud.example.com';
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    return 'plain http is allowed only to a loopback address (localhost, 127.0.0.1, [::1]); use https://';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `must be an https:// URL, not ${url.protocol}`;
  }
  // Credentials in a URL end up in logs and process lists; query and fragment have no meaning here.
  if (url.username || url.password) return 'must not contain a user name or password';
  if (url.search || url.hash) return 'must not contain a query (?…) or fragment (#…)';
  return undefined;
}

const cloudUrl = z.string().superRefine((value, ctx) => {
  const problem = cloudUrlProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const absolutePath = z
  .string()
  .min(1)
  .refine((path) => isAbsolute(path) && !path.includes('\0'), 'must be an absolute path');

const cloudSchema = z
  .strictObject({
    url: cloudUrl
      .default('embedded')
      .describe(
        'the cloud: "embedded" (the built-in cloud, run in-process), an https:// URL, or http:// to a loopback address',
      ),
    caFile: absolutePath
      .nullable()
      .default(null)
      .describe(
        'a PEM file of extra CA certificates trusted for the cloud (null: system CAs only)',
      ),
    embeddedPort: tcpPort.default(8010).describe('the port of the embedded cloud, on 127.0.0.1'),
  })
  .prefault({})
  .describe('where the cloud is');

const localSchema = z
  .strictObject({
    port: tcpPort.default(8008).describe("the port of the client's local API, on 127.0.0.1"),
  })
  .prefault({})
  .describe("the client's local listener");

/** A host name or address the external listener also answers to (behind a DNS name, a NAT). */
const hostName = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .refine(
    (value) =>
      /^[a-z0-9](?:[a-z0-9-]{0,62})(?:\.[a-z0-9](?:[a-z0-9-]{0,62}))*\.?$/.test(value) ||
      /^\[[0-9a-f:.]+\]$/.test(value),
    'must be a host name (printer.example.com) or an address (192.168.1.20, [fd00::2])',
  );

export const WEB_PROFILES = ['desktop', 'rpi'] as const;

const webSchema = z
  .strictObject({
    profile: z
      .enum(WEB_PROFILES)
      .default('desktop')
      .describe(
        'desktop (external access off by default) or rpi (a headless appliance: external access on by default)',
      ),
    external: z
      .boolean()
      .nullable()
      .default(null)
      .describe(
        'serve the web interface to other machines on all interfaces (HTTPS, and HTTP redirecting to it); null: as the profile says',
      ),
    httpPort: tcpPort
      .default(80)
      .describe('the port of the external HTTP listener, which redirects to HTTPS'),
    httpsPort: tcpPort.default(443).describe('the port of the external HTTPS listener'),
    certFile: absolutePath
      .nullable()
      .default(null)
      .describe('a PEM certificate for HTTPS (null: a self-signed one generated at first start)'),
    keyFile: absolutePath
      .nullable()
      .default(null)
      .describe('the PEM private key of web.certFile (null with web.certFile null)'),
    openBrowser: z
      .boolean()
      .default(true)
      .describe('open the web interface in the browser at start, on a desktop with a display'),
    allowedHosts: z
      .array(hostName)
      .max(32)
      .default([])
      .describe(
        "extra host names the external listener answers to, besides this machine's names and addresses",
      ),
  })
  .prefault({})
  .describe('the local web interface');

const updateSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('look for new printos releases on the cloud (never installed without asking)'),
    checkIntervalHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(24)
      .describe('hours between two automatic checks for a new release (at least 1)'),
  })
  .prefault({})
  .describe('updates of printos itself (signed releases from the cloud)');

/** Whether the external listeners run: the setting, or the profile's default when it is null. */
export function externalAccess(web: Settings['web']): boolean {
  return web.external ?? web.profile === 'rpi';
}

export const settingsSchema = z
  .strictObject({
    version: z
      .literal(SETTINGS_VERSION, {
        error: `this printos reads settings version ${SETTINGS_VERSION} only`,
      })
      .default(SETTINGS_VERSION)
      .describe('the format version of this file'),
    cloud: cloudSchema,
    offline: z.boolean().default(false).describe('run without a cloud link; printers work locally'),
    local: localSchema,
    autologin: z
      .boolean()
      .default(true)
      .describe('keep the cloud credentials (mode 0600) to log in again at the next start'),
    web: webSchema,
    update: updateSchema,
  })
  .superRefine((settings, ctx) => {
    checkWebSettings(settings.web, settings.local.port, ctx);
    if (settings.cloud.url === 'embedded' && settings.cloud.embeddedPort === settings.local.port) {
      ctx.addIssue({
        code: 'custom',
        path: ['cloud', 'embeddedPort'],
        message: `must differ from local.port (${settings.local.port})`,
      });
    }
  });

type WebSettings = z.infer<typeof webSchema>;

/** Rules between web fields: one port per listener, a certificate goes with its key. */
function checkWebSettings(web: WebSettings, localPort: number, ctx: z.core.$RefinementCtx): void {
  const problem = (key: string, message: string) =>
    ctx.addIssue({ code: 'custom', path: ['web', key], message });
  if (web.httpPort === web.httpsPort) problem('httpsPort', 'must differ from web.httpPort');
  // The external listeners bind every interface, 127.0.0.1 included.
  for (const key of ['httpPort', 'httpsPort'] as const) {
    if (web[key] === localPort) problem(key, `must differ from local.port (${localPort})`);
  }
  if ((web.certFile === null) !== (web.keyFile === null)) {
    problem(
      web.certFile === null ? 'certFile' : 'keyFile',
      'web.certFile and web.keyFile are set together (both null: a generated certificate)',
    );
  }
}

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze(settingsSchema.parse({}));

/** Validates settings; every problem is reported with its key path in one CONFIG_INVALID. */
export function parseSettings(input: unknown, source = 'settings'): Settings {
  const result = settingsSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap(describeIssue);
  throw new PrintosError(
    'CONFIG_INVALID',
    `Invalid ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    { problems },
  );
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${[...path, key].join('.')}: unknown setting`);
  }
  if (issue.code === 'invalid_type' && issue.expected === 'object') {
    return [`${path.join('.') || '(root)'}: must be an object`];
  }
  return [`${path.join('.') || '(root)'}: ${issue.message}`];
}

/** A JSON Schema type name, as z.toJSONSchema writes them. */
export type SettingType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object';

/** One settable key: a leaf of the schema, named by its dotted path. */
export interface SettingField {
  key: string;
  /** The JSON types the field accepts; `config set` parses a raw value by them. */
  types: readonly SettingType[];
  description: string;
  defaultValue: unknown;
}

interface JsonSchemaNode {
  type?: SettingType | SettingType[];
  properties?: Record<string, JsonSchemaNode>;
  anyOf?: JsonSchemaNode[];
  oneOf?: JsonSchemaNode[];
  description?: string;
}

/**
 * Every settable key, derived from the schema (through its JSON Schema, zod's public
 * view of it) so that a new field needs no second list. `version` is managed by printos.
 */
export const SETTING_FIELDS: readonly SettingField[] = Object.freeze(
  collectFields(
    z.toJSONSchema(settingsSchema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaNode,
    [],
  ).filter((field) => field.key !== 'version'),
);

function collectFields(node: JsonSchemaNode, path: string[]): SettingField[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, child]) => {
    const childPath = [...path, name];
    if (child.properties) return collectFields(child, childPath);
    return [
      {
        key: childPath.join('.'),
        types: [...new Set(typesOf(child))],
        description: child.description ?? '',
        defaultValue: valueAtPath(DEFAULT_SETTINGS, childPath),
      },
    ];
  });
}

function typesOf(node: JsonSchemaNode): SettingType[] {
  const own = node.type === undefined ? [] : [node.type].flat();
  const alternatives = [...(node.anyOf ?? []), ...(node.oneOf ?? [])].flatMap(typesOf);
  return [...own, ...alternatives];
}

/** The value at a dotted path's segments, or undefined when the path leads nowhere. */
export function valueAtPath(root: unknown, path: readonly string[]): unknown {
  let value: unknown = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
