/**
 * The data-directory lock from the command line, under the current runtime:
 * a second node on a running node's --datadir exits non-zero naming the
 * directory and the first node's pid; once the first is gone (stopped, or
 * its lock left stale), a third starts.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, runtimeCommand, runtimeName } from "../runtime_command.ts";

/** Longest wait for a child to print what is expected or to exit. */
const WAIT_MS = 20_000;
/** The log line of a node that has taken its data directory and started. */
const STARTED = /filling outbound slots/;
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startNode(datadir: string): Run {
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
  children.push(child);
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, output: () => out, exited };
}

async function waitStarted(run: Run): Promise<void> {
  for (let waited = 0; !STARTED.test(run.output()); waited += 25) {
    if (waited > WAIT_MS || run.child.exitCode !== null) {
      run.child.kill("SIGKILL");
      throw new Error(`the node did not start; output:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `promise`, or a rejection after `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe(`data directory lock on the command line under ${runtimeName}`, () => {
  test("a second node on one --datadir exits non-zero; after the first stops, a third starts", async () => {
    const datadir = mkdtempSync(join(tmpdir(), "btc-edge-lockcli-"));
    dirs.push(datadir);
    const first = startNode(datadir);
    await waitStarted(first);

    const second = startNode(datadir);
    const code = await within(second.exited, WAIT_MS, "the second node to exit");
    expect(code).toBe(1);
    expect(second.output()).toContain(
      `btc-edge: data directory ${datadir} is in use by another btc-edge process ` +
        `(pid ${first.child.pid}); stop it or choose another --datadir`,
    );
    expect(second.output()).not.toMatch(STARTED);

    first.child.kill("SIGTERM");
    await within(first.exited, WAIT_MS, "the first node to stop");
    expect(first.output()).toMatch(/INFO\s+node: stopped/);

    const third = startNode(datadir);
    await waitStarted(third);
    third.child.kill("SIGTERM");
    await within(third.exited, WAIT_MS, "the third node to stop");
  });
});
