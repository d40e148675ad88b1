/**
 * `adapters/` holds the ports bound to each runtime, the stores and the
 * simulated network and clock: code below the node. Its files may import
 * from `src/` only the layers a port or a simulated remote needs (platform,
 * util, wire, transport, peer), and nothing from the simulator scenarios
 * (`sim/`), the tests, the benches or the entry points.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { tsFilesUnder } from "../support/ts_files.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ADAPTERS = join(ROOT, "adapters");
/** The folders of `src/` an adapter may import from. */
const ALLOWED_SRC = ["platform", "util", "wire", "transport", "peer"];

/** Relative import specifiers of `text` (static, dynamic and re-exports). */
export function relativeImports(text: string): string[] {
  return [...text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) =>
    m[1]
  );
}

/** Why `target` (a path relative to the project root) may not be imported by an adapter, or null. */
export function forbiddenTarget(target: string): string | null {
  const parts = target.split("/");
  if (parts[0] === "adapters") return null;
  if (parts[0] === "src") {
    return ALLOWED_SRC.includes(parts[1]) ? null : `src/${parts[1]}/ is above the adapters`;
  }
  return `${parts[0]} is outside adapters/ and src/`;
}

describe("adapters/ stays below the node", () => {
  test("the checker finds every import form and tells allowed from forbidden targets", () => {
    expect(relativeImports(`import { a } from "../../src/node/node.ts";`)).toEqual([
      "../../src/node/node.ts",
    ]);
    expect(relativeImports(`export { b } from "./b.ts";\nconst c = await import("../c.ts");`))
      .toEqual(["./b.ts", "../c.ts"]);
    expect(relativeImports(`import { platform } from "#platform";`)).toEqual([]);
    expect(forbiddenTarget("src/peer/peer.ts")).toBeNull();
    expect(forbiddenTarget("adapters/sim/network.ts")).toBeNull();
    expect(forbiddenTarget("src/node/node.ts")).toContain("src/node/");
    expect(forbiddenTarget("sim/world.ts")).toContain("outside");
    expect(forbiddenTarget("mod.ts")).toContain("outside");
  });

  test("no file under adapters/ imports the node, the scenarios, tests or benches", () => {
    const files = tsFilesUnder(ADAPTERS);
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.flatMap((file) =>
      relativeImports(readFileSync(file, "utf8")).flatMap((spec) => {
        const target = relative(ROOT, resolve(dirname(file), spec)).split("\\").join("/");
        const why = forbiddenTarget(target);
        return why === null ? [] : [`${relative(ROOT, file)} imports ${spec}: ${why}`];
      })
    );
    expect(offenders).toEqual([]);
  });
});
