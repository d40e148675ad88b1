/**
 * `npm test` reads each runtime's output right: the counts, a timed-out node
 * test as a failure, and the file and name of every skipped test (once,
 * though bun repeats them); an output without a summary is no result. Then,
 * once per run, the real runtimes on a fixture with one skipped test.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import process from "node:process";
import { onlyOncePerRun } from "../runtime_command.ts";
import { PROJECT_ROOT, suiteCommand } from "./suite_command.ts";
import { readSuiteOutput, type TestRuntime } from "./suite_output.ts";
import { LEDGER_ENV } from "./test_ledger.ts";

const ESC = String.fromCharCode(27);
/** Longest a runtime may take on the fixture. */
const FIXTURE_RUN_MS = 30_000;
const FIXTURE = "tests/runner/fixtures/one_skip.ts";

describe("reading a runtime's test output", () => {
  test("bun: counts, and each skip once with its file though the recap repeats it", () => {
    const out = [
      "bun test v1.3.1 (89fa0f34)",
      "",
      "tests/a_test.ts:",
      "(pass) block > one [0.18ms]",
      "(skip) block > two",
      "",
      "tests/b/c_test.ts:",
      "(skip) three",
      "(fail) four [3.00ms]",
      "",
      "2 tests skipped:",
      "(skip) block > two",
      "(skip) three",
      "",
      " 1 pass",
      " 2 skip",
      " 1 fail",
      "Ran 4 tests across 2 files. [1.00s]",
    ].join("\n");
    expect(readSuiteOutput("bun", out)).toEqual({
      passed: 1,
      failed: 1,
      skipped: 2,
      skippedNames: ["tests/a_test.ts: block > two", "tests/b/c_test.ts: three"],
    });
  });

  test("bun: no skip line means none skipped", () => {
    expect(readSuiteOutput("bun", "tests/a_test.ts:\n(pass) one\n\n 1 pass\n 0 fail\n"))
      .toEqual({ passed: 1, failed: 0, skipped: 0, skippedNames: [] });
  });

  test("deno: counts and skips through its colour codes", () => {
    const c = (code: string, text: string) => `${ESC}[0m${ESC}[${code}m${text}${ESC}[0m`;
    const out = [
      c("38;5;245", "running 2 tests from ./tests/a_test.ts"),
      `block > one ... ${c("32", "ok")} ${c("38;5;245", "(30ms)")}`,
      `block > two ... ${c("33", "ignored")} ${c("38;5;245", "(0ms)")}`,
      c("38;5;245", "running 1 test from ./tests/b_test.ts"),
      `three ... ${c("33", "ignored")} (0ms)`,
      "",
      `${c("31", "FAILED")} | 7 passed | 2 failed | 2 ignored ${c("38;5;245", "(71ms)")}`,
    ].join("\n");
    expect(readSuiteOutput("deno", out)).toEqual({
      passed: 7,
      failed: 2,
      skipped: 2,
      skippedNames: ["tests/a_test.ts: block > two", "tests/b_test.ts: three"],
    });
    expect(readSuiteOutput("deno", "ok | 3 passed | 0 failed (1s)\n")?.skipped).toBe(0);
    const parallel =
      "./tests/c_test.ts => four ... ignored (0ms)\nok | 0 passed | 0 failed | 1 ignored (1s)\n";
    expect(readSuiteOutput("deno", parallel)?.skippedNames).toEqual(["tests/c_test.ts: four"]);
  });

  test("node: a cancelled (timed-out) test counts as failed; a skip without a file is '?'", () => {
    const out = [
      "✔ one (2.1ms)",
      "﹣ block > two (0.2ms) # tests/a_test.ts",
      "﹣ three (0.1ms) # SKIP",
      "﹣ later (0.1ms) # TODO",
      "✖ hangs (60001.5ms)",
      "ℹ tests 5",
      "ℹ pass 1",
      "ℹ fail 0",
      "ℹ cancelled 1",
      "ℹ skipped 2",
      "ℹ todo 1",
    ].join("\n");
    expect(readSuiteOutput("node", out)).toEqual({
      passed: 1,
      failed: 1,
      skipped: 2,
      skippedNames: ["tests/a_test.ts: block > two", "?: three"],
    });
  });

  test("an output without a closing summary is no result", () => {
    for (const runtime of ["bun", "deno", "node"] as const) {
      expect(readSuiteOutput(runtime, "error: module not found\n")).toBeUndefined();
    }
  });
});

describe("each runtime's real output on a fixture with one skipped test", () => {
  for (const runtime of ["bun", "deno", "node"] as TestRuntime[]) {
    test.skipIf(onlyOncePerRun !== null)(`${runtime} reports it by file and name`, () => {
      const [command, ...args] = suiteCommand(runtime, [`./${FIXTURE}`]);
      const run = spawnSync(command, args, {
        cwd: PROJECT_ROOT,
        // Without NODE_TEST_CONTEXT, a nested `node --test` reports as a top-level one.
        // Nor are its tests those of the run around it (tests/runner/test_ledger.ts).
        env: {
          ...process.env,
          NO_COLOR: "1",
          NODE_TEST_CONTEXT: undefined,
          [LEDGER_ENV]: undefined,
        },
        encoding: "utf8",
        timeout: FIXTURE_RUN_MS,
      });
      const out = `${run.stdout}${run.stderr}`;
      expect({ status: run.status, result: readSuiteOutput(runtime, out) }).toEqual({
        status: 0,
        result: {
          passed: 1,
          failed: 0,
          skipped: 1,
          skippedNames: [`${FIXTURE}: fixture block > is skipped`],
        },
      });
    }, FIXTURE_RUN_MS + 5_000);
  }
});
