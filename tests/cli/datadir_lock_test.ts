/**
 * The data-directory lock from the command line, under the current runtime:
 * a second node on a running node's --datadir exits non-zero naming the
 * directory and the first node's pid; once the first is gone (stopped, or
 * its lock left stale), a third starts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import type { ChildProcess } from "node:child_process";
import { runtimeName } from "../runtime_command.ts";
import {
  CLI_WAIT_MS,
  type CliRun,
  NODE_STARTED,
  regtestArgs,
  startCli,
  waitForOutput,
  within,
} from "../support/cli_process.ts";
import { tempDirs } from "../support/temp_dir.ts";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
});
// Registered after the kill above, so the directories go once no child holds them.
const tempDir = tempDirs();

function startNode(datadir: string): CliRun {
  const run = startCli(regtestArgs(datadir));
  children.push(run.child);
  return run;
}

describe(`data directory lock on the command line under ${runtimeName}`, () => {
  test("a second node on one --datadir exits non-zero; after the first stops, a third starts", async () => {
    const datadir = tempDir("btc-edge-lockcli-");
    const first = startNode(datadir);
    await waitForOutput(first, NODE_STARTED);

    const second = startNode(datadir);
    const code = await within(second.exited, CLI_WAIT_MS, "the second node to exit");
    expect(code).toBe(1);
    expect(second.output()).toContain(
      `btc-edge: data directory ${datadir} is in use by another btc-edge process ` +
        `(pid ${first.child.pid}); stop it or choose another --datadir`,
    );
    expect(second.output()).not.toMatch(NODE_STARTED);

    first.child.kill("SIGTERM");
    await within(first.exited, CLI_WAIT_MS, "the first node to stop");
    expect(first.output()).toMatch(/INFO\s+node: stopped/);

    const third = startNode(datadir);
    await waitForOutput(third, NODE_STARTED);
    third.child.kill("SIGTERM");
    await within(third.exited, CLI_WAIT_MS, "the third node to stop");
  });
});
