/**
 * The longest a test may run when it names no timeout of its own, so a test
 * that can only fail by hanging fails, named, instead of hanging the run.
 * The deno/node shim (tests/shim/bun_test.ts) applies it to every test;
 * tests/run_all.ts gives it to bun as `--timeout` (bun reads no default from
 * bunfig.toml, and `setDefaultTimeout` in a preload reaches only the first
 * file), so `npm test` has the same limit on all three runtimes.
 */

/** One minute, the limit `npm test` already gave bun (node's was two, deno's none). */
export const DEFAULT_TEST_TIMEOUT_MS = 60_000;
