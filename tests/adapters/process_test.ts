/** The CLI process services each adapter exports next to its platform. */
import { describe, expect, test } from "bun:test";
import process from "node:process";
import { args, env, homeDir, onShutdownSignal, platform, runtimeName } from "#platform";

describe(`process services (${runtimeName})`, () => {
  test("env reads variables and gives undefined for unset ones", () => {
    expect(typeof env("PATH")).toBe("string");
    expect(env("BTC_EDGE_SURELY_UNSET_VARIABLE")).toBeUndefined();
  });

  test("args is a string array", () => {
    const list = args();
    expect(Array.isArray(list)).toBe(true);
    for (const arg of list) expect(typeof arg).toBe("string");
  });

  test("homeDir is a non-empty path", () => {
    expect(homeDir().length).toBeGreaterThan(0);
  });

  test.skipIf(process.platform === "win32")(
    "SIGTERM reaches the shutdown handler with its name",
    async () => {
      const seen: string[] = [];
      const unsubscribe = onShutdownSignal((signal) => seen.push(signal));
      try {
        process.kill(process.pid, "SIGTERM");
        for (let i = 0; i < 100 && seen.length === 0; i++) await platform.clock.sleep(10);
      } finally {
        unsubscribe();
      }
      expect(seen).toEqual(["SIGTERM"]);
    },
  );
});
