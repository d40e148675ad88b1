/**
 * `npm test` holds each file's reported tests against the tests it
 * registered: each runtime's per-file counts and times are read right, a
 * file short of tests (or absent) is named, and, once per run, a real node
 * run (a process per file, node's default) of a fixture that ends its process
 * in its second of three tests, which node reports as passed with exit 0, is
 * caught through the ledger and node's per-test report.
 */
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { onlyOncePerRun } from "../runtime_command.ts";
import { PROJECT_ROOT, suiteCommand } from "./suite_command.ts";
import { readSuiteFiles, shortfalls } from "./suite_files.ts";
import { readSuiteOutput } from "./suite_output.ts";
import { declaredPerFile, LEDGER_ENV, readLedger } from "./test_ledger.ts";

/** Longest node may take on a fixture. */
const FIXTURE_RUN_MS = 30_000;
const EARLY_EXIT = "tests/runner/fixtures/early_exit.ts";
const ONE_SKIP = "tests/runner/fixtures/one_skip.ts";

describe("reading each file's tests from a run", () => {
  test("bun: counted under each file header, times summed, the recap not counted again", () => {
    const out = [
      "tests/a_test.ts:",
      "(pass) block > one [0.50ms]",
      "(skip) block > two",
      "(fail) block > three [1.50s]",
      "  ^ this test timed out after 1500ms.",
      "",
      "tests/b/c_test.ts:",
      "(pass) four [2.00ms]",
      "",
      "1 tests skipped:",
      "(skip) block > two",
      "",
      " 2 pass",
    ].join("\n");
    expect(readSuiteFiles("bun", out)).toEqual(
      new Map([
        ["tests/a_test.ts", { tests: 3, seconds: 1.5005 }],
        ["tests/b/c_test.ts", { tests: 1, seconds: 0.002 }],
      ]),
    );
  });

  test("deno: under `running N tests from`, or file-prefixed as --parallel prints them", () => {
    const serial = [
      "running 2 tests from ./tests/a_test.ts",
      "block > one ... ok (5ms)",
      "block > two ... ignored (0ms)",
      "running 1 test from ./tests/b_test.ts",
      "three ... FAILED (1m 2s)",
    ].join("\n");
    expect(readSuiteFiles("deno", serial)).toEqual(
      new Map([
        ["tests/a_test.ts", { tests: 2, seconds: 0.005 }],
        ["tests/b_test.ts", { tests: 1, seconds: 62 }],
      ]),
    );
    const parallel = [
      "./tests/b_test.ts => three ... ok (900µs)",
      "./tests/a_test.ts => block > one ... ok (2s)",
      "./tests/a_test.ts => block > two ... ignored (0ms)",
    ].join("\n");
    expect(readSuiteFiles("deno", parallel)).toEqual(
      new Map([
        ["tests/b_test.ts", { tests: 1, seconds: 0.0009 }],
        ["tests/a_test.ts", { tests: 2, seconds: 2 }],
      ]),
    );
  });

  test("node: each reported name goes to the file that registered it, a shared name in turn", () => {
    const registered = [
      { file: "tests/a_test.ts", name: "one" },
      { file: "tests/a_test.ts", name: "same" },
      { file: "tests/b_test.ts", name: "same" },
      { file: "tests/b_test.ts", name: "two" },
    ];
    const out = [
      { name: "one", seconds: 1 },
      { name: "same", seconds: 0.5 },
      { name: "same", seconds: 0.25 },
      { name: "not registered", seconds: 9 },
    ].map((line) => JSON.stringify(line)).join("\n");
    expect(readSuiteFiles("node", out, registered)).toEqual(
      new Map([
        ["tests/a_test.ts", { tests: 2, seconds: 1.5 }],
        ["tests/b_test.ts", { tests: 1, seconds: 0.25 }],
      ]),
    );
  });
});

describe("files short of tests", () => {
  const ledger = [
    ["tests/a_test.ts", "x"],
    ["tests/b_test.ts", "y"],
    ["tests/a_test.ts", "z"],
    ["tests/c_test.ts", "w"],
  ].map((line) => JSON.stringify(line)).join("\n") + "\n";
  const declared = declaredPerFile(readLedger(ledger));

  test("the ledger gives each file's registered tests", () => {
    expect(readLedger(ledger)[2]).toEqual({ file: "tests/a_test.ts", name: "z" });
    expect(declared).toEqual(
      new Map([["tests/a_test.ts", 2], ["tests/b_test.ts", 1], ["tests/c_test.ts", 1]]),
    );
  });

  test("a file with fewer tests and a file missing are named; more (a file failure) is not", () => {
    const reported = new Map([
      ["tests/a_test.ts", { tests: 1, seconds: 0 }],
      ["tests/b_test.ts", { tests: 2, seconds: 0 }],
    ]);
    expect(shortfalls("node", declared, reported)).toEqual([
      "node: tests/a_test.ts reported 1 of its 2 tests",
      "node: tests/c_test.ts reported 0 of its 1 tests",
    ]);
  });

  test("every file complete: nothing", () => {
    const reported = new Map([...declared].map(([f, n]) => [f, { tests: n, seconds: 1 }]));
    expect(shortfalls("bun", declared, reported)).toEqual([]);
  });
});

describe("a real node run that loses tests", () => {
  test.skipIf(onlyOncePerRun !== null)(
    "a file ending its process early passes in node's summary, and is caught by its count",
    () => {
      const work = mkdtempSync(join(tmpdir(), "btc-edge-suite-files-"));
      try {
        const ledger = join(work, "ledger");
        const report = join(work, "files.jsonl");
        const [command, ...args] = suiteCommand("node", [EARLY_EXIT, ONE_SKIP], {
          report,
          processPerFile: true,
        });
        const run = spawnSync(command, args, {
          cwd: PROJECT_ROOT,
          // Without NODE_TEST_CONTEXT, a nested `node --test` reports as a top-level one.
          env: {
            ...process.env,
            NO_COLOR: "1",
            NODE_TEST_CONTEXT: undefined,
            [LEDGER_ENV]: ledger,
          },
          encoding: "utf8",
          timeout: FIXTURE_RUN_MS,
        });
        // What node itself says: success, nothing failed (the early file counts as one test).
        const summary = readSuiteOutput("node", `${run.stdout}${run.stderr}`);
        expect({ status: run.status, failed: summary?.failed }).toEqual({ status: 0, failed: 0 });
        const registered = readLedger(readFileSync(ledger, "utf8"));
        const declared = declaredPerFile(registered);
        expect(declared).toEqual(new Map([[EARLY_EXIT, 3], [ONE_SKIP, 2]]));
        const reported = readSuiteFiles("node", readFileSync(report, "utf8"), registered);
        expect(shortfalls("node", declared, reported)).toEqual([
          `node: ${EARLY_EXIT} reported 0 of its 3 tests`,
        ]);
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
    FIXTURE_RUN_MS + 5_000,
  );
});
