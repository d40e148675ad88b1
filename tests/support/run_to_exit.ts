/**
 * Test helper: a command run to its exit in a child process, its stdout and
 * stderr collected together; killed (SIGKILL) if it has not exited within
 * the wait. For fixtures that must run outside the test runner's process
 * (a signal, an unhandled rejection, a resource limit).
 */
import { spawn } from "node:child_process";
import process from "node:process";
import { ROOT } from "../runtime_command.ts";

/** Longest a child may run by default before it is killed (a cold runtime start on a busy machine). */
export const CHILD_WAIT_MS = 20_000;

/** How a child ended, and everything it printed. */
export interface ChildExit {
  readonly code: number | null;
  readonly signal: string | null;
  readonly out: string;
}

/**
 * Runs `command` with `args` from the project root (environment: ours with
 * NO_COLOR) and resolves once it exited, or was killed after `waitMs`.
 */
export function runToExit(
  command: string,
  args: readonly string[],
  waitMs: number = CHILD_WAIT_MS,
): Promise<ChildExit> {
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), waitMs);
  return new Promise((resolve) =>
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    })
  );
}
