/**
 * The address manager across runtimes: peers.json written under each of
 * deno, bun and node (5,000 addresses on every BIP155 network, tried and
 * failed entries, a fixed clock) is loaded under each of the three with the
 * same seeded random source; all nine give the same tables and the same 300
 * `select()` results, and the three writers wrote byte-identical files.
 *
 * Runs once per `npm test`: under Node only (skipped, saying so, under Bun
 * and Deno); the children run under all three runtimes either way.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onlyOncePerRun, ROOT, runtimeCommand, RUNTIMES } from "../runtime_command.ts";
/** Selections the fixture prints (its SELECTIONS). */
const SELECTIONS = 300;

const skipReason = onlyOncePerRun;
if (skipReason !== null) console.log(`addrman_cross_runtime_test: skipped, ${skipReason}`);

const FIXTURE = join(ROOT, "tests/interop/fixtures/addrman_select.ts");
/** Longest one child may take. */
const CHILD_MS = 30_000;

const work = mkdtempSync(join(tmpdir(), "btc-edge-addrman-x-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs the fixture under `runtime`; its stdout. */
function run(runtime: typeof RUNTIMES[number], ...args: string[]): string {
  const [cmd, ...rest] = runtimeCommand(runtime, FIXTURE);
  return execFileSync(cmd, [...rest, ...args], { cwd: ROOT, timeout: CHILD_MS, encoding: "utf8" });
}

describe("peers.json across runtimes", () => {
  test.skipIf(skipReason !== null)(
    "written under each runtime, loaded under each: same tables, same select() sequence",
    () => {
      const files = new Map<string, string>();
      const outputs = new Map<string, string>();
      for (const writer of RUNTIMES) {
        const dir = join(work, writer);
        run(writer, "write", dir);
        files.set(writer, readFileSync(join(dir, "peers.json"), "utf8"));
        for (const reader of RUNTIMES) {
          outputs.set(`${writer}→${reader}`, run(reader, "select", dir));
        }
      }
      expect(new Set(files.values()).size).toBe(1);
      const first = JSON.parse(outputs.get("deno→deno")!);
      expect(first.outcome).toBe("loaded");
      expect(first.tried).toBeGreaterThan(100);
      expect(first.new).toBeGreaterThan(1_000);
      for (const network of ["ipv4", "ipv6", "onion", "i2p", "cjdns"]) {
        expect(first.byNetwork[network].new).toBeGreaterThan(0);
      }
      expect(first.picks.length).toBe(SELECTIONS);
      // Selection really is driven by the seeded source: far from one address repeated.
      expect(new Set(first.picks).size).toBeGreaterThan(SELECTIONS / 2);
      for (const [pair, out] of outputs) {
        expect({ pair, state: JSON.parse(out) }).toEqual({ pair, state: first });
      }
    },
    9 * CHILD_MS,
  );
});
