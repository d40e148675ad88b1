/**
 * Teardown that registers itself. A test file (or `describe` block) calls
 * `afterEachCleanup()` or `afterAllCleanup()` once, at its top; its tests push
 * a step for everything they open (a listener, a node, a directory). After
 * each test (or after the block's last one) the steps run, the last pushed
 * first, every one of them even when an earlier one throws; the first error
 * then fails the test.
 */
import { afterAll, afterEach } from "bun:test";

/** Steps to run when the tests that pushed them are done. */
export interface Cleanup {
  /** Adds `steps` (each run once; the last pushed runs first). */
  push(...steps: Array<() => unknown>): void;
}

function cleanupOn(hook: (fn: () => Promise<void>) => void): Cleanup {
  const steps: Array<() => unknown> = [];
  hook(async () => {
    let first: { error: unknown } | undefined;
    for (const step of steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        first ??= { error };
      }
    }
    if (first !== undefined) throw first.error;
  });
  return { push: (...more) => void steps.push(...more) };
}

/** A cleanup whose steps run after every test of the calling file or block. */
export function afterEachCleanup(): Cleanup {
  return cleanupOn(afterEach);
}

/** A cleanup whose steps run once, after the last test of the calling file or block. */
export function afterAllCleanup(): Cleanup {
  return cleanupOn(afterAll);
}
