/**
 * Real Chromium for the web tests: Debian's /usr/bin/chromium driven by playwright-core.
 * One browser per test file (start ~1 s), one fresh context per test (withPage).
 */
import { accessSync, constants } from 'node:fs';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';

export type { Browser, BrowserContext, Page };

/** Debian's package; PRINTOS_CHROMIUM points elsewhere on other machines. */
export const CHROMIUM_PATH = process.env.PRINTOS_CHROMIUM ?? '/usr/bin/chromium';

export interface LaunchBrowserOptions {
  executablePath?: string;
  /** Extra Chromium switches, after ours. */
  args?: string[];
  /** Hosts besides loopback the browser may reach (see chromiumArgs). */
  allowHosts?: string[];
  /** Set false to watch the browser while debugging (needs a display). */
  headless?: boolean;
  timeoutMs?: number;
}

/**
 * Switches every test browser gets. As root Chromium refuses to start without --no-sandbox.
 * The resolver rule keeps a test browser on loopback: every host name and address fails
 * to resolve except loopback ones and `allowHosts` (host patterns such as "10.20.30.1"), so
 * a wrong URL in a test cannot send traffic to a real network.
 */
export function chromiumArgs(allowHosts: readonly string[] = []): string[] {
  const allowed = ['localhost', '*.localhost', '127.*', '::1', ...allowHosts];
  const rules = ['MAP * ~NOTFOUND', ...allowed.map((host) => `EXCLUDE ${host}`)].join(', ');
  const args = [`--host-resolver-rules=${rules}`];
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return args;
}

/** Throws a message that says what to install when Chromium is not there. */
export function assertChromium(executablePath = CHROMIUM_PATH): void {
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium not found at ${executablePath}: install it (apt-get install chromium, or ` +
        'bash scripts/ensure-deps.sh) or set PRINTOS_CHROMIUM to its path',
    );
  }
}

/** A headless Chromium with a fresh, temporary profile (playwright deletes it on close). */
export async function launchBrowser(options: LaunchBrowserOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  assertChromium(executablePath);
  try {
    return await chromium.launch({
      executablePath,
      headless: options.headless ?? true,
      args: [...chromiumArgs(options.allowHosts), ...(options.args ?? [])],
      timeout: options.timeoutMs ?? 30_000,
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`Chromium at ${executablePath} did not start: ${reason}`);
  }
}

export interface PageOptions extends BrowserContextOptions {
  /** Default timeout of every page action and wait; short, so a failing test fails fast. */
  timeoutMs?: number;
}

/**
 * Runs fn with a page in a new context (own cookies, own storage) and always closes the
 * context, so tests sharing one browser cannot see each other's sessions.
 */
export async function withPage<T>(
  browser: Browser,
  fn: (page: Page, context: BrowserContext) => Promise<T>,
  options: PageOptions = {},
): Promise<T> {
  const { timeoutMs = 5_000, ...contextOptions } = options;
  const context = await browser.newContext(contextOptions);
  try {
    context.setDefaultTimeout(timeoutMs);
    const page = await context.newPage();
    return await fn(page, context);
  } finally {
    await context.close();
  }
}
