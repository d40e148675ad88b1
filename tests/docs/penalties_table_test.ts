/**
 * The penalties table in README.md says what `src/sync/penalties.ts` does:
 * the table after the `penalties-table` marker has one row per reason, with
 * the same points and the same word for what Core master does.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PENALTIES } from "../../src/sync/penalties.ts";
import { ROOT } from "../runtime_command.ts";

/** One row of the README table. */
interface Row {
  readonly points: number;
  readonly core: string;
}

/** The rows of the first table after the marker comment, by reason. */
export function penaltiesTable(readme: string): Map<string, Row> {
  const marker = readme.indexOf("<!-- penalties-table");
  if (marker < 0) throw new Error("README.md has no penalties-table marker");
  const lines = readme.slice(marker).split("\n").slice(1);
  const start = lines.findIndex((l) => l.startsWith("|"));
  if (start < 0) throw new Error("no table after the penalties-table marker");
  const rows = new Map<string, Row>();
  // Skip the heading and the separator line.
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const [reason, points, core] = line.split("|").slice(1).map((c) => c.trim());
    const name = /^`([^`]+)`$/.exec(reason)?.[1];
    if (name === undefined) throw new Error(`a row without a \`reason\`: ${line}`);
    rows.set(name, { points: Number(points), core });
  }
  return rows;
}

describe("README penalties table", () => {
  test("parsing reads the rows after the marker and stops at the table's end", () => {
    const doc = "| `x` | 1 | a |\n<!-- penalties-table -->\n\n| r | p | c |\n| - | -: | - |\n" +
      "| `bad-pow` | 100 | discourages | w |\n| `duplicate` | 0 | ignores | w |\n\nafter\n";
    expect([...penaltiesTable(doc)]).toEqual([
      ["bad-pow", { points: 100, core: "discourages" }],
      ["duplicate", { points: 0, core: "ignores" }],
    ]);
    expect(() => penaltiesTable("no marker")).toThrow("marker");
  });

  test("has a row for every reason in penalties.ts with its points and Core's behaviour, and no other", () => {
    const rows = penaltiesTable(readFileSync(join(ROOT, "README.md"), "utf8"));
    const code = Object.entries(PENALTIES).map(([reason, p]) => [reason, p.points, p.core]);
    const doc = [...rows].map(([reason, r]) => [reason, r.points, r.core]);
    const byReason = (a: (string | number)[], b: (string | number)[]) =>
      String(a[0]).localeCompare(String(b[0]));
    expect(doc.sort(byReason)).toEqual(code.sort(byReason));
  });
});
