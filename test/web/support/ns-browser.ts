/**
 * Chromium INSIDE a network namespace, for "a remote browser" in the web tests: its requests
 * come from ns.nsAddress, so the server treats it as remote. Three ways to drive it:
 * - browseFromNamespace(ns, steps): a flow in the step language of steps.ts;
 * - browseModuleFromNamespace(ns, file, arg): a module exporting `async (page, arg) => json`;
 * - launchBrowserInNamespace(ns): a live playwright Browser whose Chromium runs inside (the
 *   host drives it over a websocket to nsAddress), for tests that want the full Page API.
 * Each starts Chromium (~1 s); a test file that browses much should share one server.
 */
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import type { Namespace } from './netns.js';
import { type BrowseContext, type Job, RESULT_MARK, WS_MARK } from './ns-job.js';
import type { Step, StepsResult } from './steps.js';

export type { BrowseContext } from './ns-job.js';

const SUPPORT_DIR = fileURLToPath(new URL('.', import.meta.url));
const REPO_ROOT = resolve(SUPPORT_DIR, '../../..');
const RUNNER = resolve(SUPPORT_DIR, 'ns-browser-runner.ts');

export interface BrowseOptions {
  context?: BrowseContext;
  /** The whole run (Chromium start included); default 60 s. */
  timeoutMs?: number;
  /** Each page action or wait; default 5 s. */
  stepTimeoutMs?: number;
  /** Hosts the browser may reach besides loopback; default: the host's end of the veth. */
  allowHosts?: string[];
}

export type ModuleResult =
  | { ok: true; value: unknown; url: string; errors: string[] }
  | { ok: false; error: string; url: string; errors: string[] };

export async function browseFromNamespace(
  ns: Namespace,
  steps: Step[],
  options: BrowseOptions = {},
): Promise<StepsResult> {
  return (await runJob(
    ns,
    { kind: 'steps', steps, ...common(ns, options) },
    options,
  )) as StepsResult;
}

/** `file` is an absolute path to a .ts/.js module; `arg` must be JSON. */
export async function browseModuleFromNamespace(
  ns: Namespace,
  file: string,
  arg?: unknown,
  options: BrowseOptions = {},
): Promise<ModuleResult> {
  const job: Job = { kind: 'module', module: resolve(file), arg, ...common(ns, options) };
  return (await runJob(ns, job, options)) as ModuleResult;
}

function common(ns: Namespace, options: BrowseOptions) {
  return {
    allowHosts: options.allowHosts ?? [ns.hostAddress],
    ...(options.context ? { context: options.context } : {}),
    ...(options.stepTimeoutMs ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
  };
}

function runnerCommand(job: Job): string[] {
  return [process.execPath, '--import', 'tsx', RUNNER, JSON.stringify(job)];
}

async function runJob(ns: Namespace, job: Job, options: BrowseOptions): Promise<unknown> {
  const result = await ns.exec(runnerCommand(job), {
    cwd: REPO_ROOT,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  const line = result.stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
  if (result.code !== 0 || line === undefined) {
    const why = result.timedOut ? 'timed out' : `exited with ${result.code}`;
    throw new Error(`the browser in namespace ${ns.name} ${why}: ${result.stderr.trim()}`);
  }
  return JSON.parse(line.slice(RESULT_MARK.length));
}

export interface NamespaceBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * A Chromium server inside the namespace, listening on nsAddress; the returned Browser is
 * driven from the host but every page it loads is fetched from inside the namespace.
 */
export async function launchBrowserInNamespace(
  ns: Namespace,
  options: { allowHosts?: string[]; timeoutMs?: number } = {},
): Promise<NamespaceBrowser> {
  const job: Job = {
    kind: 'server',
    host: ns.nsAddress,
    allowHosts: options.allowHosts ?? [ns.hostAddress],
  };
  const child = ns.spawn(runnerCommand(job), { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const stop = async () => {
    child.stdin?.end();
    if (child.exitCode === null) await new Promise((done) => child.once('exit', done));
  };
  try {
    const endpoint = await readEndpoint(child.stdout, options.timeoutMs ?? 30_000);
    const browser = await chromium.connect(endpoint);
    return {
      browser,
      async close() {
        await browser.close().catch(() => undefined);
        await stop();
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`no browser server in namespace ${ns.name}: ${reason} ${stderr.trim()}`);
  }
}

function readEndpoint(stdout: NodeJS.ReadableStream | null, timeoutMs: number): Promise<string> {
  return new Promise((resolveEndpoint, reject) => {
    if (!stdout) return reject(new Error('no stdout'));
    const lines = createInterface({ input: stdout });
    const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    lines.on('line', (line) => {
      if (!line.startsWith(WS_MARK)) return;
      clearTimeout(timer);
      resolveEndpoint(line.slice(WS_MARK.length));
    });
    lines.on('close', () => {
      clearTimeout(timer);
      reject(new Error('the runner exited before it was ready'));
    });
  });
}
