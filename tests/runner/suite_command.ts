/**
 * The command line that runs test files under one runtime, as `npm test`
 * runs them (tests/run_all.ts) and as tests/runner/suite_output_test.ts
 * checks their output is read: bun natively, deno and node through the
 * `bun:test` shim. Every runtime gets the same default test timeout; node
 * is told to exit once its tests are done, as bun and deno do, so a test
 * that leaves a timer or socket behind cannot keep the run alive. Node can
 * also write each file's count and time (tests/runner/file_reporter.ts).
 *
 * No `bun:test` import: tests/run_all.ts runs this under plain Node.
 */
import { fileURLToPath } from "node:url";
import { DEFAULT_TEST_TIMEOUT_MS } from "../shim/default_timeout.ts";
import type { TestRuntime } from "./suite_output.ts";

/** The project root (with a trailing slash); the commands run there. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/**
 * `[command, ...args]` running `paths` (relative to the project root; bun
 * needs a leading `./` on a file, or takes it as a name filter); node writes
 * its per-file report to `nodeFilesReport` when given.
 */
export function suiteCommand(
  runtime: TestRuntime,
  paths: readonly string[],
  nodeFilesReport?: string,
): string[] {
  const bin = (name: string) => `${PROJECT_ROOT}node_modules/.bin/${name}`;
  switch (runtime) {
    case "bun":
      return [bin("bun"), "test", "--timeout", String(DEFAULT_TEST_TIMEOUT_MS), ...paths];
    case "deno":
      return [bin("deno"), "test", "--allow-all", "--quiet", ...paths];
    case "node":
      return [
        bin("node"),
        "--import",
        "./tests/shim/register.ts",
        "--test",
        "--test-force-exit",
        ...(nodeFilesReport === undefined ? [] : [
          "--test-reporter=spec",
          "--test-reporter-destination=stdout",
          "--test-reporter=./tests/runner/file_reporter.ts",
          `--test-reporter-destination=${nodeFilesReport}`,
        ]),
        ...paths,
      ];
  }
}
