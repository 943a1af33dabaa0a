/**
 * A PrinterLink wired to a scripted fake cloud and a fake printer, driven turn by turn
 * with step() and a manual clock (its timers never fire by themselves).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudClient, createCloudClient } from '../../src/link/cloud-client.js';
import type { LinkClock } from '../../src/link/loop-timing.js';
import { PrinterLink, type PrinterLinkDeps } from '../../src/link/printer-link.js';
import type { PrinterCloudState } from '../../src/link/types.js';
import {
  type CommandRequest,
  commandRequestSchema,
  type PrinterLoginRequest,
  printerLoginRequestSchema,
} from '../../src/streamer-api/index.js';
import { type CapturedRequest, type FakeCloud, type Reply, startFakeCloud } from './fake-cloud.js';
import { type FakePrinter, fakePrinter } from './fake-printer.js';
import { memoryLog } from './memory-log.js';

export const USER_TOKEN = 'USER-TOKEN-c0ffee';
export const PRINTER_TOKEN = 'PRINTER-TOKEN-beef';
export const JOB_FILE = Buffer.from('G28\nG1 X10 Y10\nM104 S0\n');

export interface ManualClock extends LinkClock {
  advance(ms: number): void;
  scheduled: number[];
}

export function manualClock(start = Date.UTC(2025, 3, 7, 10)): ManualClock {
  let now = start;
  const clock: ManualClock = {
    now: () => now,
    setTimeout: (_callback, ms) => {
      clock.scheduled.push(ms);
      return clock.scheduled.length;
    },
    clearTimeout: () => {},
    random: () => 0.5,
    advance: (ms) => {
      now += ms;
    },
    scheduled: [],
  };
  return clock;
}

export interface HarnessOptions {
  login?: (request: CapturedRequest, index: number) => Reply;
  files?: (request: CapturedRequest) => Reply | Promise<Reply>;
  deps?: Partial<PrinterLinkDeps>;
  timeoutMs?: number;
  logLevel?: string;
}

export interface Harness {
  cloud: FakeCloud;
  client: CloudClient;
  printer: FakePrinter;
  link: PrinterLink;
  clock: ManualClock;
  /** Replies for the next command requests, in order; then `{}`. */
  replies: Reply[];
  unlinked: number[];
  cloudStates: PrinterCloudState[];
  quits: number;
  uploads: number;
  downloadsDir: string;
  logText(): string;
  /** Every command request so far, validated by the shared schema. */
  commands(): CommandRequest[];
  logins(): PrinterLoginRequest[];
  /** The link of a file on the fake cloud (signed-looking query). */
  fileUrl(name?: string): string;
  close(): Promise<void>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const memory = memoryLog(options.logLevel ?? 'trace');
  const clock = manualClock();
  const printer = fakePrinter();
  const downloadsDir = mkdtempSync(join(tmpdir(), 'printos-link-'));
  const h = {
    replies: [] as Reply[],
    unlinked: [] as number[],
    cloudStates: [] as PrinterCloudState[],
    quits: 0,
    uploads: 0,
  } as Harness;
  let logins = 0;
  const cloud = await startFakeCloud((request) => {
    if (request.path === '/streamerapi/printer_login') {
      return (
        options.login?.(request, logins++) ?? {
          json: { printer_token: PRINTER_TOKEN, name: 'Shelf printer', conn_id: 'serial' },
        }
      );
    }
    if (request.path === '/streamerapi/command') return h.replies.shift() ?? { json: {} };
    if (request.path.startsWith('/files/')) return options.files?.(request) ?? { bytes: JOB_FILE };
    return { status: 404 };
  });
  const client = createCloudClient({
    baseUrl: cloud.url,
    timeoutMs: options.timeoutMs ?? 2000,
    log: memory.log,
  });
  const link = new PrinterLink({
    client,
    userToken: USER_TOKEN,
    printer,
    version: '0.1.0printos',
    downloadsDir,
    log: memory.log,
    clock,
    downloadTuning: { retryPauseMs: 5, timeoutMs: 5000 },
    onUnlinked: (code) => h.unlinked.push(code),
    onCloudState: (state) => h.cloudStates.push(state),
    onQuit: () => {
      h.quits++;
    },
    uploadLogs: async () => {
      h.uploads++;
    },
    ...options.deps,
  });
  return Object.assign(h, {
    cloud,
    client,
    printer,
    link,
    clock,
    downloadsDir,
    logText: memory.text,
    commands: () =>
      cloud.bodies('/streamerapi/command').map((body) => commandRequestSchema.parse(body)),
    logins: () =>
      cloud
        .bodies('/streamerapi/printer_login')
        .map((body) => printerLoginRequestSchema.parse(body)),
    fileUrl: (name = 'job.gcode') => `${cloud.url}/files/${name}?expires=99&sig=SIGNED-SECRET`,
    close: async () => {
      await link.stop();
      client.close();
      await cloud.close();
      rmSync(downloadsDir, { recursive: true, force: true });
    },
  });
}

/** Runs `n` turns of the loop. */
export async function steps(h: Harness, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await h.link.step();
}

/** Polls (real time) until `check` holds; for background work such as downloads. */
export async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function last<T>(items: T[]): T {
  const item = items.at(-1);
  if (item === undefined) throw new Error('no items');
  return item;
}
