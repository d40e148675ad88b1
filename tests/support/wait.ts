/**
 * Bounded waiting for tests: poll a condition until it holds (or fail naming
 * what was awaited), and let pending I/O and microtasks run. Every wait here
 * ends: in time (`waitFor`) or in turns (`settle`).
 */

/** How long `waitFor` waits before failing the test, unless told otherwise. */
export const WAIT_MS = 3_000;

/** Resolves when `cond()` holds; throws after `ms` (polling every 2 ms). */
export async function waitFor(cond: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets pending I/O and microtasks run (a few macrotask turns). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setTimeout(r, 0));
}
