/**
 * A small step language for browser flows that must run where a test cannot hold a Page
 * object — inside a network namespace (ns-browser.ts) — and that a test can equally run on a
 * local page (runSteps), so one flow is written once and run from loopback and from remote.
 *
 * Every step is plain JSON. Steps that read something (text, url, eval, …) store the value
 * under `as` (or under their index) in the result's `values`.
 */
import { z } from 'zod';
import type { Page } from './browser.js';

const as = { as: z.string().min(1).optional() };

export const StepSchema = z.union([
  /** Loads a URL; the value is {status, url} (status null when there is no response). */
  z.strictObject({ goto: z.string().min(1), ...as }),
  z.strictObject({ fill: z.string().min(1), value: z.string() }),
  /** Clicks; with `navigates`, waits for the navigation the click starts and its load. */
  z.strictObject({ click: z.string().min(1), navigates: z.boolean().optional() }),
  z.strictObject({ check: z.string().min(1) }),
  z.strictObject({ uncheck: z.string().min(1) }),
  z.strictObject({ select: z.string().min(1), value: z.string() }),
  z.strictObject({ press: z.string().min(1), key: z.string().min(1) }),
  z.strictObject({
    waitFor: z.string().min(1),
    state: z.enum(['attached', 'detached', 'visible', 'hidden']).optional(),
  }),
  /** Waits until the URL matches this glob (playwright's page.waitForURL). */
  z.strictObject({ waitForUrl: z.string().min(1) }),
  /** The visible text of the first match. */
  z.strictObject({ text: z.string().min(1), ...as }),
  /** The visible texts of every match. */
  z.strictObject({ texts: z.string().min(1), ...as }),
  z.strictObject({ attribute: z.string().min(1), name: z.string().min(1), ...as }),
  /** Counts the matches (0 when none), without waiting. */
  z.strictObject({ count: z.string().min(1), ...as }),
  z.strictObject({ url: z.literal(true), ...as }),
  z.strictObject({ title: z.literal(true), ...as }),
  /** The page's HTML. */
  z.strictObject({ html: z.literal(true), ...as }),
  /** The context's cookies (name, value, httpOnly, secure, sameSite, …). */
  z.strictObject({ cookies: z.literal(true), ...as }),
  /** A JavaScript expression evaluated in the page; a promise is awaited (e.g. fetch). */
  z.strictObject({ eval: z.string().min(1), ...as }),
  /** A PNG of the page, written to this path (the namespace shares the file system). */
  z.strictObject({ screenshot: z.string().min(1), fullPage: z.boolean().optional() }),
]);

export type Step = z.infer<typeof StepSchema>;

export interface StepsOk {
  ok: true;
  values: Record<string, unknown>;
  url: string;
  /** Console errors and uncaught page errors seen during the run (CSP violations land here). */
  errors: string[];
}

export interface StepsFailed {
  ok: false;
  /** Index of the step that failed, or -1 when the run failed before any step. */
  failedStep: number;
  error: string;
  values: Record<string, unknown>;
  url: string;
  errors: string[];
}

export type StepsResult = StepsOk | StepsFailed;

/** Runs the steps in order; the first failure stops the run and is reported, not thrown. */
export async function runSteps(page: Page, steps: Step[]): Promise<StepsResult> {
  const values: Record<string, unknown> = {};
  const errors = watchErrors(page);
  for (const [index, step] of steps.entries()) {
    try {
      const value = await runStep(page, step);
      if (value !== undefined) values['as' in step && step.as ? step.as : String(index)] = value;
    } catch (err) {
      const error = err instanceof Error ? err.message.split('\n')[0] : String(err);
      return { ok: false, failedStep: index, error: error ?? '', values, url: page.url(), errors };
    }
  }
  return { ok: true, values, url: page.url(), errors };
}

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page: ${err.message}`));
  return errors;
}

async function runStep(page: Page, step: Step): Promise<unknown> {
  if ('goto' in step) {
    const response = await page.goto(step.goto);
    return { status: response?.status() ?? null, url: page.url() };
  }
  if ('fill' in step) return void (await page.fill(step.fill, step.value));
  if ('click' in step) return click(page, step.click, step.navigates ?? false);
  if ('check' in step) return void (await page.check(step.check));
  if ('uncheck' in step) return void (await page.uncheck(step.uncheck));
  if ('select' in step) return void (await page.selectOption(step.select, step.value));
  if ('press' in step) return void (await page.press(step.press, step.key));
  if ('waitFor' in step) {
    return void (await page.waitForSelector(step.waitFor, { state: step.state ?? 'visible' }));
  }
  if ('waitForUrl' in step) return void (await page.waitForURL(step.waitForUrl));
  return read(page, step);
}

async function read(page: Page, step: Step): Promise<unknown> {
  // What a user sees (hidden text left out) is the point here, so innerText, not textContent.
  // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what is tested
  if ('text' in step) return page.locator(step.text).first().innerText();
  if ('texts' in step) return page.locator(step.texts).allInnerTexts();
  if ('attribute' in step) return page.locator(step.attribute).first().getAttribute(step.name);
  if ('count' in step) return page.locator(step.count).count();
  if ('url' in step) return page.url();
  if ('title' in step) return page.title();
  if ('html' in step) return page.content();
  if ('cookies' in step) return page.context().cookies();
  if ('eval' in step) return page.evaluate(step.eval);
  if ('screenshot' in step) {
    await page.screenshot({ path: step.screenshot, fullPage: step.fullPage ?? true });
    return undefined;
  }
  throw new Error(`unknown step ${JSON.stringify(step)}`);
}

async function click(page: Page, selector: string, navigates: boolean): Promise<undefined> {
  if (!navigates) {
    await page.click(selector);
    return undefined;
  }
  // Listen before clicking: a fast server can finish the navigation before click() returns.
  const navigated = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  await page.click(selector);
  await navigated;
  await page.waitForLoadState('load');
  return undefined;
}
