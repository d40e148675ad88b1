/**
 * The self-registering cleanups: steps pushed in one test have run, last
 * pushed first, when the next test starts (after each), or only once the
 * block's last test is over (after all); a temporary directory is gone after
 * its block.
 */
import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { afterAllCleanup, afterEachCleanup } from "./cleanup.ts";
import { tempDirs } from "./temp_dir.ts";

describe("afterEachCleanup", () => {
  const ran: string[] = [];
  const cleanup = afterEachCleanup();

  test("pushes three steps", () => {
    cleanup.push(() => ran.push("a"), () => ran.push("b"));
    cleanup.push(async () => {
      await Promise.resolve();
      ran.push("c");
    });
    expect(ran).toEqual([]);
  });

  test("they ran after the previous test, the last pushed first, each once", () => {
    expect(ran).toEqual(["c", "b", "a"]);
  });

  test("nothing pushed, nothing run", () => {
    expect(ran).toEqual(["c", "b", "a"]);
  });
});

describe("afterAllCleanup and tempDirs", () => {
  const ran: string[] = [];
  const made: string[] = [];
  describe("a block", () => {
    const cleanup = afterAllCleanup();
    const tempDir = tempDirs();

    test("pushes a step and makes a directory", () => {
      cleanup.push(() => ran.push("all"));
      made.push(tempDir("btc-edge-cleanup-test-"));
      expect(existsSync(made[0])).toBe(true);
    });

    test("the step waits for the block's last test", () => {
      expect(ran).toEqual([]);
      expect(existsSync(made[0])).toBe(true);
    });
  });

  test("after the block, the step ran once and the directory is gone", () => {
    expect(ran).toEqual(["all"]);
    expect(made.length).toBe(1);
    expect(existsSync(made[0])).toBe(false);
  });
});
