/**
 * How the CLI reaches a running service: `service.json` in the data directory names
 * its pid and port (written at start, removed at stop), `api-token` holds the secret.
 * No service → null, so commands that also work offline (printers, config) go on alone.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, PrintosError } from '../core/errors.js';

export const SERVICE_FILE = 'service.json';
export const API_TOKEN_FILE = 'api-token';

export const serviceFileSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().min(1).max(65_535),
  startedAt: z.string(),
});
export type ServiceFile = z.infer<typeof serviceFileSchema>;

export interface ServiceClient {
  readonly url: string;
  request<T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readServiceFile(dataDir: string): Promise<ServiceFile | null> {
  try {
    const parsed = serviceFileSchema.safeParse(
      JSON.parse(await readFile(join(dataDir, SERVICE_FILE), 'utf8')),
    );
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** A client for the service running on this data directory, or null when none runs. */
export async function connectToService(dataDir: string): Promise<ServiceClient | null> {
  const file = await readServiceFile(dataDir);
  if (!file || !alive(file.pid)) return null;
  let token: string;
  try {
    token = (await readFile(join(dataDir, API_TOKEN_FILE), 'utf8')).trim();
  } catch (err) {
    throw new PrintosError(
      'FORBIDDEN',
      `The service runs, but its API token in ${dataDir} cannot be read: ${(err as Error).message}. Run printos as the service's user.`,
    );
  }
  return createServiceClient(`http://127.0.0.1:${file.port}`, token);
}

/** Like connectToService, for commands that need the service. */
export async function requireService(dataDir: string): Promise<ServiceClient> {
  const client = await connectToService(dataDir);
  if (!client) {
    throw new PrintosError(
      'SERVICE_NOT_RUNNING',
      `No printos service runs on ${dataDir}. Start it with: printos start`,
    );
  }
  return client;
}

export function createServiceClient(url: string, token: string): ServiceClient {
  return {
    url,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(`${url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(120_000),
        });
      } catch (err) {
        throw new PrintosError(
          'SERVICE_NOT_RUNNING',
          `The printos service at ${url} does not answer: ${(err as Error).message}`,
        );
      }
      const text = await response.text();
      const json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
      if (response.ok) return json as T;
      throw errorFrom(json, response.status);
    },
  };
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

function errorFrom(json: unknown, status: number): PrintosError {
  const parsed = errorBody.safeParse(json);
  if (!parsed.success) return new PrintosError('INTERNAL', `The service answered HTTP ${status}.`);
  const { code, message, details } = parsed.data.error;
  const known = Object.hasOwn(ERROR_CODES, code) ? (code as ErrorCode) : 'INTERNAL';
  return new PrintosError(known, message, details);
}
