/**
 * Per test file, what one runtime's run reported: how many tests (passed,
 * failed, skipped) and how long they took. `npm test` holds the counts
 * against the tests each file declared (tests/runner/test_ledger.ts) and
 * lists the slowest files.
 *
 * - bun: from its output, `tests/x_test.ts:` before a file's results and one
 *   `(pass|fail|skip|todo) name [N.NNms]` line per test; seconds are the sum
 *   of the tests' times (module loading not included);
 * - deno: from its output, `running N tests from ./tests/x_test.ts` before a
 *   file's results and `name ... ok|FAILED|ignored (N ms)` per test, or with
 *   `--parallel` each result as `./tests/x_test.ts => name ... ok (N ms)`;
 *   seconds are the sum of the tests' times;
 * - node: from tests/runner/node_reporter.ts's JSON lines, a name and seconds
 *   for each reported test, given to the file that registered that name
 *   (tests/runner/test_ledger.ts; a name two files registered goes to the
 *   first of them not yet given all its tests).
 *
 * No `bun:test` import: tests/run_all.ts runs this under plain Node.
 */
import type { ReportedTest } from "./node_reporter.ts";
import type { TestRuntime } from "./suite_output.ts";
import type { Registered } from "./test_ledger.ts";

/** One file's tests as a run reported them. */
export interface FileTally {
  tests: number;
  seconds: number;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

/** Seconds in a duration as bun (`[1.50ms]`) or deno (`(1ms)`, `(2s)`, `(900µs)`, `(1m 2s)`) prints it. */
function seconds(text: string | undefined): number {
  if (text === undefined) return 0;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/([\d.]+)(ms|µs|s|m)\b/g)) {
    total += Number(n) * ({ ms: 1e-3, "µs": 1e-6, s: 1, m: 60 }[unit] ?? 0);
  }
  return total;
}

function add(files: Map<string, FileTally>, file: string, time: string | undefined): void {
  const t = files.get(file) ?? { tests: 0, seconds: 0 };
  t.tests++;
  t.seconds += seconds(time);
  files.set(file, t);
}

function bunFiles(lines: readonly string[]): Map<string, FileTally> {
  const files = new Map<string, FileTally>();
  let file = "";
  for (const line of lines) {
    if (/^\d+ tests? (skipped|failed|todo):$/.test(line)) break; // the recap repeats them
    const header = /^(\S+\.[cm]?[jt]sx?):$/.exec(line);
    if (header) file = header[1];
    const result = /^\((?:pass|fail|skip|todo)\) .*?(\[[\d.]+m?s\])?$/.exec(line);
    if (result && file !== "") add(files, file, result[1]);
  }
  return files;
}

function denoFiles(lines: readonly string[]): Map<string, FileTally> {
  const files = new Map<string, FileTally>();
  let file = "";
  for (const line of lines) {
    const header = /^running \d+ tests? from (?:\.\/)?(\S+)$/.exec(line);
    if (header) file = header[1];
    const result = /^(?:(?:\.\/)?(\S+\.[cm]?[jt]sx?) => )?.* \.\.\. (?:ok|FAILED|ignored)(.*)$/
      .exec(line);
    if (result === null) continue;
    const of = result[1] ?? file;
    if (of !== "") add(files, of, result[2]);
  }
  return files;
}

function nodeFiles(
  lines: readonly string[],
  registered: readonly Registered[],
): Map<string, FileTally> {
  const filesOf = new Map<string, string[]>();
  for (const { file, name } of registered) {
    const files = filesOf.get(name);
    if (files === undefined) filesOf.set(name, [file]);
    else files.push(file);
  }
  const files = new Map<string, FileTally>();
  for (const line of lines) {
    if (line.trim() === "") continue;
    const { name, seconds } = JSON.parse(line) as ReportedTest;
    // Not registered through the shim (a file that failed to load): its failure counts already.
    const file = filesOf.get(name)?.shift();
    if (file === undefined) continue;
    const t = files.get(file) ?? { tests: 0, seconds: 0 };
    t.tests++;
    t.seconds += seconds;
    files.set(file, t);
  }
  return files;
}

/**
 * Tests and seconds per file (relative to the project root): `text` is the
 * run's output for bun and deno, tests/runner/node_reporter.ts's for node,
 * whose tests are given to files by the `registered` ones.
 */
export function readSuiteFiles(
  runtime: TestRuntime,
  text: string,
  registered: readonly Registered[] = [],
): Map<string, FileTally> {
  const lines = text.replace(ANSI, "").split(/\r?\n/);
  switch (runtime) {
    case "bun":
      return bunFiles(lines);
    case "deno":
      return denoFiles(lines);
    case "node":
      return nodeFiles(lines, registered);
  }
}

/**
 * One line for each file that reported fewer tests than it declared (or none
 * at all); files reporting more (a file-level failure node adds) are not
 * shortfalls, their failure counts already.
 */
export function shortfalls(
  runtime: TestRuntime,
  declared: ReadonlyMap<string, number>,
  reported: ReadonlyMap<string, FileTally>,
): string[] {
  const out: string[] = [];
  for (const [file, count] of [...declared].sort(([a], [b]) => a.localeCompare(b))) {
    const got = reported.get(file)?.tests ?? 0;
    if (got < count) out.push(`${runtime}: ${file} reported ${got} of its ${count} tests`);
  }
  return out;
}
