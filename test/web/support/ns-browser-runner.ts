/**
 * Runs INSIDE a network namespace (`ip netns exec <ns> node --import tsx <this file>`),
 * started by ns-browser.ts: takes one job as JSON in its first argument, launches Chromium
 * there, and prints one result line on stdout, prefixed with RESULT_MARK. Not a test file.
 *
 * Jobs: `steps` (the step language of steps.ts), `module` (a module whose default export is
 * `async (page, arg) => result`), `server` (a Chromium server the host connects to; prints
 * its endpoint and runs until stdin closes).
 */
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM_PATH, chromiumArgs, launchBrowser, type Page, withPage } from './browser.js';
import { type Job, JobSchema, RESULT_MARK, WS_MARK } from './ns-job.js';
import { runSteps, type StepsResult } from './steps.js';

async function main(): Promise<void> {
  const job = JobSchema.parse(JSON.parse(process.argv[2] ?? 'null'));
  if (job.kind === 'server') return serve(job.host, job.allowHosts);
  const browser = await launchBrowser({ allowHosts: job.allowHosts });
  try {
    const result = await withPage(browser, (page) => runJob(page, job), {
      ...job.context,
      timeoutMs: job.stepTimeoutMs,
    });
    process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
  }
}

async function runJob(page: Page, job: Exclude<Job, { kind: 'server' }>): Promise<unknown> {
  if (job.kind === 'steps') return runSteps(page, job.steps) satisfies Promise<StepsResult>;
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  try {
    const loaded = (await import(pathToFileURL(job.module).href)) as { default?: unknown };
    if (typeof loaded.default !== 'function') {
      throw new Error(`${job.module} has no default export function (page, arg) => result`);
    }
    const value: unknown = await loaded.default(page, job.arg);
    return { ok: true, value: value ?? null, url: page.url(), errors };
  } catch (err) {
    const error = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, error, url: page.url(), errors };
  }
}

/** A Chromium server on the namespace's address, for tests that want a live Browser. */
async function serve(host: string, allowHosts: string[]): Promise<void> {
  const server = await chromium.launchServer({
    executablePath: CHROMIUM_PATH,
    args: chromiumArgs(allowHosts),
    host,
    port: 0,
  });
  process.stdout.write(`${WS_MARK}${server.wsEndpoint()}\n`);
  // The host ends us by closing stdin (or killing us with the namespace).
  await readStdin();
  await server.close();
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

main().catch((err: unknown) => {
  process.stderr.write(`ns-browser-runner: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exitCode = 1;
});
