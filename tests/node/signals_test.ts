/**
 * A shutdown signal through the runtime adapter: the CLI node under the
 * current runtime stops on SIGINT (tests/cli covers SIGTERM), logs the
 * signal, and exits 0. A second signal during shutdown cannot be timed from
 * outside (a stop takes milliseconds); `lifecycle_test.ts` checks that
 * `node.signal`, which the CLI calls for every signal, only logs it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runtimeCommand, runtimeName } from "../runtime_command.ts";

/** Longest wait for the child to print what is expected or to exit. */
const WAIT_MS = 20_000;
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe(`shutdown signals under ${runtimeName}`, () => {
  test("SIGINT stops the node cleanly with exit code 0", async () => {
    const datadir = mkdtempSync(join(tmpdir(), "btc-edge-signals-"));
    dirs.push(datadir);
    const [cmd, ...args] = runtimeCommand(
      runtimeName as "deno" | "bun" | "node",
      join(ROOT, "main.ts"),
    );
    const child = spawn(cmd, [
      ...args,
      "--network=regtest",
      `--datadir=${datadir}`,
      "--listen=127.0.0.1:0",
      "--api=none",
      "--dnsseed=false",
    ], {
      cwd: ROOT,
      env: { ...globalThis.process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
    for (let waited = 0; !/filling outbound slots/.test(out); waited += 25) {
      if (waited > WAIT_MS) {
        child.kill("SIGKILL");
        throw new Error(`the node did not start; output:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill("SIGINT");
    const code = await exited;
    expect(out).toContain("SIGINT received; shutting down");
    expect(out).toMatch(/INFO\s+node: stopped/);
    // Deno's node:child_process reports a child that handled its signal as null, not its code.
    if (runtimeName !== "deno") expect(code).toBe(0);
  });
});
