/**
 * The embedding example in README.md runs as written (under the current
 * runtime): the code block after the `readme-example` marker is extracted,
 * its `./mod.ts` import pointed at the project root, and run as a script.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runtimeCommand, runtimeName } from "../runtime_command.ts";

/** Longest the example may take (start, one status, stop). */
const EXAMPLE_TIMEOUT_MS = 30_000;
const WORK = join(ROOT, ".tmp", `readme-example-${runtimeName}`);

/** The first ```ts block after the marker comment. */
export function extractExample(readme: string): string {
  const marker = readme.indexOf("<!-- readme-example");
  if (marker < 0) throw new Error("README.md has no readme-example marker");
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!m) throw new Error("no ```ts block after the readme-example marker");
  return m[1];
}

afterAll(() => rmSync(WORK, { recursive: true, force: true }));

describe("README embedding example", () => {
  test("extraction finds the block after the marker, not another", () => {
    const doc = "```ts\nnot this\n```\n<!-- readme-example -->\n```ts\nthis one\n```\n";
    expect(extractExample(doc)).toBe("this one\n");
    expect(() => extractExample("no marker")).toThrow("marker");
  });

  test(`runs as written under ${runtimeName}`, () => {
    const code = extractExample(readFileSync(join(ROOT, "README.md"), "utf8"));
    expect(code).toContain(`from "./mod.ts"`);
    mkdirSync(WORK, { recursive: true });
    const script = join(WORK, "example.ts");
    writeFileSync(
      script,
      code.replace(`from "./mod.ts"`, `from "../../mod.ts"`).replace(
        `datadir: ".tmp/embedded-node"`,
        `datadir: ${JSON.stringify(join(WORK, "data"))}`,
      ),
    );
    const [cmd, ...args] = runtimeCommand(runtimeName, script);
    const run = spawnSync(cmd, args, { cwd: ROOT, timeout: EXAMPLE_TIMEOUT_MS, encoding: "utf8" });
    const output = `${run.stdout}${run.stderr}`;
    expect({ status: run.status, output }).toMatchObject({ status: 0 });
    expect(output).toMatch(/regtest node listening on 127\.0\.0\.1:\d+ at height 0/);
    expect(output).toContain(`IPv4 addresses known: {"new":0,"tried":0}`);
  });
});
