/**
 * Node entry hook (`node --import`, which `node --test` passes on to the
 * child running each file): sends `bun:test` imports to the shim, and in a
 * test child makes the pipe that carries its results to the parent blocking.
 *
 * Why blocking: `npm test` runs node with `--test-force-exit`, so a child calls
 * `process.exit()` as soon as its last test has ended. Its results go to the
 * parent over stdout, a non-blocking pipe on Linux; what the pipe could not
 * take yet (the parent busy, the machine loaded) is queued in the child and
 * lost at that exit. The parent then reports fewer tests than ran and still
 * exits 0 (nodejs/node#64833). With blocking writes nothing is queued at exit.
 */
import { register } from "node:module";
import process from "node:process";

register(new URL("./resolve_hook.ts", import.meta.url));

/** What node's stdout stream is made of when it is a pipe (not public API). */
interface PipeHandle {
  setBlocking?: (blocking: boolean) => number;
}

// `child-v8`: a `node --test` child reporting to its parent over stdout.
if (process.env.NODE_TEST_CONTEXT === "child-v8") {
  const handle = (process.stdout as unknown as { _handle?: PipeHandle })._handle;
  if (typeof handle?.setBlocking !== "function") {
    throw new Error("tests/shim/register.ts: cannot make the test report pipe blocking");
  }
  handle.setBlocking(true);
}
