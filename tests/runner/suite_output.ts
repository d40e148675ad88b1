/**
 * Reads what one runtime's test run printed: how many tests passed, failed
 * and were skipped, and the name (with its file) of every skipped test, so
 * `npm test` can say what a run left out. Each runtime has its own format:
 *
 * - bun prints `tests/x_test.ts:` before a file's results, `(skip) name` per
 *   skipped test and ` N pass` / ` N skip` / ` N fail` at the end; after
 *   the files it may repeat the skips under `N tests skipped:`;
 * - deno prints `running N tests from ./tests/x_test.ts`, `name ... ignored`
 *   per skipped test (with `--parallel`, `./tests/x_test.ts => name ...
 *   ignored` and no header) and `| N passed | N failed | N ignored` at the end;
 * - node prints `﹣ name (0.1ms) # file` per skipped test (the shim gives
 *   the file as the skip message, which node prints in place of `SKIP`) and
 *   `ℹ pass N`, `ℹ fail N`, `ℹ cancelled N` (a test that timed out),
 *   `ℹ skipped N` at the end.
 *
 * No `bun:test` import: tests/run_all.ts runs this under plain Node.
 */

/** The runtimes whose test output is read here. */
export type TestRuntime = "bun" | "deno" | "node";

/** What one runtime's run reported. */
export interface SuiteOutput {
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  /** `file: test name` of each skipped test found in the output, in order. */
  readonly skippedNames: readonly string[];
}

/** SGR colour codes (deno colours its output even with NO_COLOR when FORCE_COLOR is set). */
// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;

function lastNumber(text: string, re: RegExp): number | undefined {
  const all = [...text.matchAll(re)];
  return all.length ? Number(all[all.length - 1][1]) : undefined;
}

function bunSkips(lines: readonly string[]): string[] {
  const names: string[] = [];
  let file = "";
  for (const line of lines) {
    if (/^\d+ tests? (skipped|failed|todo):$/.test(line)) break; // the recap repeats them
    const header = /^(\S+\.[cm]?[jt]sx?):$/.exec(line);
    if (header) file = header[1];
    const skip = /^\(skip\) (.+)$/.exec(line);
    if (skip) names.push(`${file}: ${skip[1]}`);
  }
  return names;
}

function denoSkips(lines: readonly string[]): string[] {
  const names: string[] = [];
  let file = "";
  for (const line of lines) {
    const header = /^running \d+ tests? from (?:\.\/)?(\S+)$/.exec(line);
    if (header) file = header[1];
    const skip = /^(?:(?:\.\/)?(\S+\.[cm]?[jt]sx?) => )?(.+) \.\.\. ignored \(/.exec(line);
    if (skip) names.push(`${skip[1] ?? file}: ${skip[2]}`);
  }
  return names;
}

function nodeSkips(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const skip = /^\s*﹣ (.+) \([\d.]+m?s\) # (.+)$/.exec(line);
    if (skip === null || skip[2] === "TODO") return [];
    return [`${skip[2] === "SKIP" ? "?" : skip[2]}: ${skip[1]}`];
  });
}

/** The counts and skipped names in `out`, or undefined when it holds no closing summary. */
export function readSuiteOutput(runtime: TestRuntime, out: string): SuiteOutput | undefined {
  const text = out.replace(ANSI, "");
  const lines = text.split(/\r?\n/);
  switch (runtime) {
    case "bun": {
      const passed = lastNumber(text, /^\s*(\d+) pass$/gm);
      const failed = lastNumber(text, /^\s*(\d+) fail$/gm);
      if (passed === undefined || failed === undefined) return undefined;
      const skipped = lastNumber(text, /^\s*(\d+) skip$/gm) ?? 0;
      return { passed, failed, skipped, skippedNames: bunSkips(lines) };
    }
    case "deno": {
      const summary =
        /^(?:ok|FAILED) \| (\d+) passed(?: \(\d+ steps?\))? \| (\d+) failed(?: \(\d+ steps?\))?(?: \| (\d+) ignored)?/gm;
      const last = [...text.matchAll(summary)].at(-1);
      if (last === undefined) return undefined;
      return {
        passed: Number(last[1]),
        failed: Number(last[2]),
        skipped: Number(last[3] ?? 0),
        skippedNames: denoSkips(lines),
      };
    }
    case "node": {
      const passed = lastNumber(text, /^ℹ pass (\d+)$/gm);
      const failed = lastNumber(text, /^ℹ fail (\d+)$/gm);
      if (passed === undefined || failed === undefined) return undefined;
      const cancelled = lastNumber(text, /^ℹ cancelled (\d+)$/gm) ?? 0;
      const skipped = lastNumber(text, /^ℹ skipped (\d+)$/gm) ?? 0;
      return { passed, failed: failed + cancelled, skipped, skippedNames: nodeSkips(lines) };
    }
  }
}
