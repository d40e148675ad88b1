/** The core knows no runtime: no file under src/ may reach Deno, Bun, Node or the console. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { tsFilesUnder } from "../support/ts_files.ts";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Lines of `text` that use a runtime-specific API (comment lines excepted). */
export function runtimeUses(text: string): string[] {
  const bad =
    /\bDeno\.|\bBun\.|\bprocess\.|\bfrom\s+["']node:|\bimport\s*\(\s*["']node:|\brequire\(|\bconsole\./;
  return text.split("\n").filter((line) => {
    const t = line.trim();
    if (t.startsWith("//") || t.startsWith("*") || t.startsWith("/*")) return false;
    return bad.test(line);
  });
}

describe("src/ is runtime-agnostic", () => {
  test("the scanner flags every forbidden form", () => {
    for (
      const line of [
        `Deno.connect({ port: 1 })`,
        `const s = Bun.listen({})`,
        `process.exit(1)`,
        `import { x } from "node:net";`,
        `const m = await import("node:fs")`,
        `const fs = require("fs")`,
        `console.log("hi")`,
      ]
    ) {
      expect(runtimeUses(line)).toEqual([line]);
    }
    expect(runtimeUses(`// Deno.connect is used by adapters only`)).toEqual([]);
    expect(runtimeUses(`const processed = 1; // processes`)).toEqual([]);
  });

  test("no file under src/ uses Deno, Bun, process, node: modules or console", () => {
    const files = tsFilesUnder(SRC);
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.flatMap((f) =>
      runtimeUses(readFileSync(f, "utf8")).map((l) => `${f}: ${l.trim()}`)
    );
    expect(offenders).toEqual([]);
  });
});
