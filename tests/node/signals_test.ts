/**
 * A shutdown signal through the runtime adapter: the CLI node under the
 * current runtime stops on SIGINT (tests/cli covers SIGTERM), logs the
 * signal, and exits 0. A second signal during shutdown cannot be timed from
 * outside (a stop takes milliseconds); `lifecycle_test.ts` checks that
 * `node.signal`, which the CLI calls for every signal, only logs it.
 */
import { describe, expect, test } from "bun:test";
import { runtimeName } from "../runtime_command.ts";
import { NODE_STARTED, regtestArgs, startCli, waitForOutput } from "../support/cli_process.ts";
import { tempDirs } from "../support/temp_dir.ts";

const tempDir = tempDirs();

describe(`shutdown signals under ${runtimeName}`, () => {
  test("SIGINT stops the node cleanly with exit code 0", async () => {
    const datadir = tempDir("btc-edge-signals-");
    const run = startCli(regtestArgs(datadir));
    await waitForOutput(run, NODE_STARTED);
    run.child.kill("SIGINT");
    const code = await run.exited;
    expect(run.output()).toContain("SIGINT received; shutting down");
    expect(run.output()).toMatch(/INFO\s+node: stopped/);
    // Deno's node:child_process reports a child that handled its signal as null, not its code.
    if (runtimeName !== "deno") expect(code).toBe(0);
  });
});
