/**
 * `deno task start` runs with narrow permissions (network, BTC_EDGE_* and
 * HOME, read/write of ~/.btc-edge): a regtest node starts under them with its
 * DNS seeding, storage and status API, and stops cleanly on SIGTERM; with a
 * permission missing the CLI exits 1 naming the flag to add. Spawns Deno
 * itself, so it runs once per npm test (in the node run).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { onlyOncePerRun, ROOT } from "../runtime_command.ts";
import { type CliRun, waitForOutput, within } from "../support/cli_process.ts";

/** Longest wait for the task to exit after SIGTERM, or to fail. */
const EXIT_WAIT_MS = 20_000;

const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "btc-edge-deno-"));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** `deno <args>` from the repository root with HOME set to `home`, in its own process group. */
function deno(args: readonly string[], home: string): CliRun {
  const child = spawn(`${ROOT}node_modules/.bin/deno`, args, {
    cwd: ROOT,
    env: { ...process.env, HOME: home, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, output: () => out, exited };
}

const skip = onlyOncePerRun !== null;
if (skip) console.log(`deno_permissions_test: skipped, ${onlyOncePerRun}`);

describe("deno task start permissions", () => {
  test.skipIf(skip)("a node starts and stops under the task's permissions", async () => {
    const home = tempDir();
    const run = deno(
      ["task", "start", "--network=regtest", "--listen=127.0.0.1:0", "--api=127.0.0.1:0"],
      home,
    );
    try {
      const [, url] = await waitForOutput(run, /status API listening url=(\S+)/);
      const status = await (await fetch(url)).json() as { state: string; runtime: string };
      expect(status).toMatchObject({ state: "running", runtime: "deno" });
      // DNS seeding ran (regtest's seed does not resolve) without a permission error.
      await waitForOutput(run, /DNS seeds queried/);
    } finally {
      process.kill(-run.child.pid!, "SIGTERM");
    }
    expect(await within(run.exited, EXIT_WAIT_MS, "deno task start to stop")).toBe(0);
    expect(run.output()).toContain("stopped");
    expect(run.output()).not.toMatch(/NotCapable|Requires \w+ access/);
    expect(existsSync(join(home, ".btc-edge", "regtest", "peers.json"))).toBe(true);
  }, 60_000);

  test.skipIf(skip)(
    "a data directory outside ~/.btc-edge: exit 1 naming --allow-write for it",
    async () => {
      const home = tempDir();
      const datadir = join(tempDir(), "node");
      const run = deno(
        ["task", "start", "--network=regtest", `--datadir=${datadir}`, "--dnsseed=false"],
        home,
      );
      expect(await within(run.exited, EXIT_WAIT_MS, "deno task start to fail")).toBe(1);
      expect(run.output()).toContain("Deno has not granted a permission the node needs");
      expect(run.output()).toContain(`run with --allow-write=${datadir}`);
      expect(run.output()).not.toMatch(/^\s+at /m);
    },
    60_000,
  );

  test.skipIf(skip)("no --allow-env: exit 1 naming --allow-env", async () => {
    const run = deno(["run", "main.ts", "--network=regtest"], tempDir());
    expect(await within(run.exited, EXIT_WAIT_MS, "deno run to fail")).toBe(1);
    expect(run.output()).toContain("run with --allow-env=BTC_EDGE_*,HOME");
  }, 60_000);
});
