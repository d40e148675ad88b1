/** The CLI process services each adapter exports next to its platform. */
import { describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { args, env, homeDir, runtimeName } from "#platform";
import { ROOT, runtimeCommand } from "../runtime_command.ts";

const SHUTDOWN_SIGNAL = join(ROOT, "tests/adapters/fixtures/shutdown_signal.ts");
/** Longest the child may take. */
const CHILD_WAIT_MS = 20_000;

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
      const child = spawn(command, rest, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_WAIT_MS);
      const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
      clearTimeout(timer);
      expect({ code, out: out.trim() }).toEqual({ code: 0, out: JSON.stringify(["SIGTERM"]) });
    },
    CHILD_WAIT_MS + 5_000,
  );
});
