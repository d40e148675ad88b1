/**
 * No import cycles in src/: neither between files nor between folders
 * (`src/api/x.ts` importing `src/node/y.ts` is an edge api → node). Type-only
 * imports count: they tie the files together as much as value imports do.
 * The graph is read from the source text, so no tool is needed.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join, relative, resolve } from "node:path";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** The relative module specifiers `text` imports or re-exports (static and dynamic). */
export function importSpecifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\sfrom\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]);
  return found;
}

/** Every cycle's members, one array each (strongly connected components of two or more). */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  // Tarjan's algorithm, iterative so a long chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ node: string; edge: number }> = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== frame.node);
      if (members.length > 1) out.push(members.sort());
    }
  }
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** The folder of a path relative to src/ (`api/app.ts` → `api`; files at the top → `.`). */
function folderOf(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? "." : path.slice(0, slash);
}

/** The file graph of src/ (paths relative to src/) and the folder graph over it. */
function srcGraphs(): { files: Map<string, string[]>; folders: Map<string, string[]> } {
  const files = new Map<string, string[]>();
  const folders = new Map<string, Set<string>>();
  for (const path of walk(SRC)) {
    const from = relative(SRC, path).replaceAll("\\", "/");
    const targets = importSpecifiers(readFileSync(path, "utf8"))
      .map((spec) => relative(SRC, resolve(dirname(path), spec)).replaceAll("\\", "/"));
    files.set(from, targets);
    const edges = folders.get(folderOf(from)) ?? new Set<string>();
    for (const to of targets) if (folderOf(to) !== folderOf(from)) edges.add(folderOf(to));
    folders.set(folderOf(from), edges);
  }
  return {
    files,
    folders: new Map([...folders].map(([folder, edges]) => [folder, [...edges]])),
  };
}

describe("src/ has no import cycles", () => {
  test("the reader finds every import form and the finder every cycle", () => {
    expect(importSpecifiers([
      `import { a } from "./a.ts";`,
      `import type { B } from "../b/b.ts";`,
      `import {\n  c,\n  type D,\n} from "./c.ts";`,
      `export { e } from "./e.ts";`,
      `import "./side_effect.ts";`,
      `const f = await import("./f.ts");`,
      `import { hono } from "hono";`,
    ].join("\n"))).toEqual([
      "./a.ts",
      "../b/b.ts",
      "./c.ts",
      "./e.ts",
      "./side_effect.ts",
      "./f.ts",
    ]);
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
      ["e", ["e", "d"]],
    ]);
    expect(cycles(graph)).toEqual([["a", "b", "c"]]);
    expect(cycles(new Map([["x", ["y"]], ["y", []]]))).toEqual([]);
  });

  test("no two files of src/ import each other, directly or through others", () => {
    const { files } = srcGraphs();
    expect(files.size).toBeGreaterThan(50);
    const unresolved = [...files].flatMap(([from, targets]) =>
      targets.filter((to) => !files.has(to)).map((to) => `${from} → ${to}`)
    );
    expect(unresolved).toEqual([]);
    expect(cycles(files)).toEqual([]);
  });

  test("no two folders of src/ depend on each other, directly or through others", () => {
    const { folders } = srcGraphs();
    expect(folders.size).toBeGreaterThan(5);
    expect(cycles(folders)).toEqual([]);
  });
});
