/**
 * Node entry hook (`node --import`, which `node --test` passes on to any
 * child running a file): sends `bun:test` imports to the shim, and makes
 * stdout blocking when it is a pipe.
 *
 * Why blocking: `npm test` runs node with `--test-force-exit`, which calls
 * `process.exit()` as soon as the last test has ended. The results leave
 * over stdout: to `npm test`, or from a child (node's default process
 * isolation) to its parent, both pipes, non-blocking on Linux; what a pipe
 * could not take yet (the reader busy, the machine loaded) is queued and lost
 * at that exit. A parent then reports fewer tests than ran and still exits 0
 * (nodejs/node#64833). With blocking writes nothing is queued at exit.
 */
import { register } from "node:module";
import process from "node:process";

register(new URL("./resolve_hook.ts", import.meta.url));

/** What node's stdout stream is made of when it is a pipe (not public API). */
interface StdoutHandle {
  setBlocking?: (blocking: boolean) => number;
}

const handle = (process.stdout as unknown as { _handle?: StdoutHandle })._handle;
// A file or terminal is written synchronously already; a pipe has setBlocking.
if (handle?.constructor?.name === "Pipe") {
  if (typeof handle.setBlocking !== "function") {
    throw new Error("tests/shim/register.ts: cannot make the stdout pipe blocking");
  }
  handle.setBlocking(true);
}
