/**
 * One concept a file, held by a bound (issue 13): no file in src/ is longer
 * than `MAX_SRC_FILE_LINES` lines. A file that grows past it has a second
 * concept grown inside it: cut that out along its seam into a file of its
 * own (reformatting to shave lines does not count). A failure names each
 * file and its line count.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Most lines a file in src/ may have. */
export const MAX_SRC_FILE_LINES = 600;

/** Lines of `text` as an editor numbers them (`wc -l` when it ends with a newline). */
export function lineCount(text: string): number {
  if (text === "") return 0;
  let breaks = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) breaks++;
  return text.endsWith("\n") ? breaks : breaks + 1;
}

/** `name: N lines (over max)` for each file longer than `max`, the longest first. */
export function oversized(
  files: Iterable<readonly [name: string, text: string]>,
  max: number,
): string[] {
  return [...files]
    .map(([name, text]) => ({ name, lines: lineCount(text) }))
    .filter((f) => f.lines > max)
    .sort((a, b) => b.lines - a.lines || (a.name < b.name ? -1 : 1))
    .map((f) => `${f.name}: ${f.lines} lines (over ${max})`);
}

/** Every file below `dir` (absolute paths). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("no file in src/ is over the line bound", () => {
  test("the counter counts lines and the check names each long file with its count", () => {
    expect(lineCount("")).toBe(0);
    expect(lineCount("a")).toBe(1);
    expect(lineCount("a\n")).toBe(1);
    expect(lineCount("a\nb")).toBe(2);
    expect(lineCount("a\n\nb\n")).toBe(3);
    const lines = (n: number) => "x;\n".repeat(n);
    expect(oversized([
      ["sync/ok.ts", lines(600)],
      ["sync/big.ts", lines(601)],
      ["api/bigger.ts", lines(900) + "no final newline"],
    ], 600)).toEqual([
      "api/bigger.ts: 901 lines (over 600)",
      "sync/big.ts: 601 lines (over 600)",
    ]);
    expect(oversized([["a.ts", lines(3)]], 2)).toEqual(["a.ts: 3 lines (over 2)"]);
  });

  test(`every file in src/ has at most ${MAX_SRC_FILE_LINES} lines`, () => {
    const files = filesUnder(SRC);
    expect(files.length).toBeGreaterThan(50);
    const named = files.map((path) =>
      [relative(SRC, path).replaceAll("\\", "/"), readFileSync(path, "utf8")] as const
    );
    expect(oversized(named, MAX_SRC_FILE_LINES)).toEqual([]);
  });
});
