/**
 * Tests that create network namespaces or OS users need root. They SKIP, with a reason the
 * reporter shows, when not root; CI runs as root, so there they always run.
 */
import { describe, type TestContext } from 'vitest';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** The skip reason for `what` (e.g. "creates OS users"), or undefined when running as root. */
export function rootSkipReason(what = 'changes the system'): string | undefined {
  if (isRoot()) return undefined;
  return `needs root: this test ${what}; run it as root (CI does)`;
}

/** Call first thing in a test: skips it, with the reason, when not root. */
export function skipUnlessRoot(ctx: TestContext, what?: string): void {
  const reason = rootSkipReason(what);
  ctx.skip(reason !== undefined, reason);
}

/** A describe() that is skipped when not root; the reason goes into the suite name. */
export function describeAsRoot(name: string, what: string, fn: () => void): void {
  const reason = rootSkipReason(what);
  describe.skipIf(reason !== undefined)(reason ? `${name} [skipped: ${reason}]` : name, fn);
}
