/** The CLI process services each adapter exports next to its platform. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import process from "node:process";
import { args, env, homeDir, runtimeName } from "#platform";
import { ROOT, runtimeCommand } from "../runtime_command.ts";
import { CHILD_WAIT_MS, runToExit } from "../support/run_to_exit.ts";

const SHUTDOWN_SIGNAL = join(ROOT, "tests/adapters/fixtures/shutdown_signal.ts");

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
      // In a child process: `node --test` cancels every test of its own process on SIGTERM.
      const [command, ...rest] = runtimeCommand(runtimeName, SHUTDOWN_SIGNAL);
      const { code, out } = await runToExit(command, rest);
      expect({ code, out: out.trim() }).toEqual({ code: 0, out: JSON.stringify(["SIGTERM"]) });
    },
    CHILD_WAIT_MS + 5_000,
  );
});
