/**
 * Test helper: `main.ts` as a child process under the current runtime, its
 * output collected, and bounded waits for a log line or the exit.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import process from "node:process";
import { ROOT, runtimeCommand, runtimeName } from "../runtime_command.ts";

/** Longest wait for a child to print what is expected or to exit. */
export const CLI_WAIT_MS = 20_000;
/** The log line of a node that has taken its data directory and started its rooms. */
export const NODE_STARTED = /filling outbound slots/;

/** A running `main.ts`. */
export interface CliRun {
  readonly child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Its exit code once it has exited and its output is drained. */
  readonly exited: Promise<number | null>;
}

/** Starts `main.ts` with `args` (and extra environment) under the current runtime. */
export function startCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const [cmd, ...rest] = runtimeCommand(runtimeName, join(ROOT, "main.ts"));
  const child = spawn(cmd, [...rest, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return { child, output: () => out, exited };
}

/** The regtest flags of a node that needs no network and no API. */
export function regtestArgs(datadir: string): string[] {
  return [
    "--network=regtest",
    `--datadir=${datadir}`,
    "--listen=127.0.0.1:0",
    "--api=none",
    "--dnsseed=false",
  ];
}

/**
 * Resolves with the first match of `re` in the child's output; kills the
 * child and rejects (with its output) when it exits first or `ms` pass.
 */
export async function waitForOutput(
  run: CliRun,
  re: RegExp,
  ms = CLI_WAIT_MS,
): Promise<RegExpExecArray> {
  for (let waited = 0;; waited += 25) {
    const m = re.exec(run.output());
    if (m) return m;
    if (waited > ms || run.child.exitCode !== null) {
      run.child.kill("SIGKILL");
      throw new Error(`timed out waiting for ${re}; output:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `promise`, or a rejection naming `what` after `ms`. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
