/**
 * The command line that runs test files under one runtime, as `npm test`
 * runs them (tests/run_all.ts) and as tests/runner/suite_output_test.ts
 * checks their output is read: bun natively, deno and node through the
 * `bun:test` shim. Every runtime gets the same default test timeout; node
 * is told to exit once its tests are done, as bun and deno do, so a test
 * that leaves a timer or socket behind cannot keep the run alive. Node runs
 * all files in its one process (`--test-isolation=none`), as bun does: a
 * process per file cost more than its tests on most files. Deno runs files
 * side by side (`--parallel`, one worker a core). It can also
 * write each test's name and time (tests/runner/node_reporter.ts).
 *
 * No `bun:test` import: tests/run_all.ts runs this under plain Node.
 */
import { fileURLToPath } from "node:url";
import { DEFAULT_TEST_TIMEOUT_MS } from "../shim/default_timeout.ts";
import type { TestRuntime } from "./suite_output.ts";

/** The project root (with a trailing slash); the commands run there. */
export const PROJECT_ROOT: string = fileURLToPath(new URL("../../", import.meta.url));

/** Node's options. */
export interface NodeSuiteOptions {
  /** Where node writes tests/runner/node_reporter.ts's report, if anywhere. */
  readonly report?: string;
  /** Node's default, a process per file, in place of one process for all. */
  readonly processPerFile?: boolean;
}

/**
 * `[command, ...args]` running `paths` (relative to the project root; bun
 * needs a leading `./` on a file, or takes it as a name filter).
 */
export function suiteCommand(
  runtime: TestRuntime,
  paths: readonly string[],
  node: NodeSuiteOptions = {},
): string[] {
  const bin = (name: string) => `${PROJECT_ROOT}node_modules/.bin/${name}`;
  switch (runtime) {
    case "bun":
      return [bin("bun"), "test", "--timeout", String(DEFAULT_TEST_TIMEOUT_MS), ...paths];
    case "deno":
      return [bin("deno"), "test", "--allow-all", "--quiet", "--parallel", ...paths];
    case "node":
      return [
        bin("node"),
        "--import",
        "./tests/shim/register.ts",
        "--test",
        "--test-force-exit",
        ...(node.processPerFile ? [] : ["--test-isolation=none"]),
        ...(node.report === undefined ? [] : [
          "--test-reporter=spec",
          "--test-reporter-destination=stdout",
          "--test-reporter=./tests/runner/node_reporter.ts",
          `--test-reporter-destination=${node.report}`,
        ]),
        ...paths,
      ];
  }
}
