/** withDeadline: the signal and timeout bound an operation that can't cancel itself. */
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { withDeadline } from "../../../adapters/shared/abort.ts";
import { ROOT, runtimeCommand, runtimeName } from "../../runtime_command.ts";
import { CHILD_WAIT_MS, runToExit } from "../../support/run_to_exit.ts";

const LATE_FAILURE = join(ROOT, "tests/adapters/shared/fixtures/late_failure.ts");

/** A promise settled from outside. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("withDeadline", () => {
  test("passes the result through when nothing interferes", async () => {
    expect(await withDeadline("op", { timeoutMs: 1_000 }, () => Promise.resolve(42))).toBe(42);
  });

  test("passes the operation's own error through", async () => {
    const error = new Error("refused");
    const outcome = await withDeadline("op", {}, () => Promise.reject(error)).catch((e) => e);
    expect(outcome).toBe(error);
  });

  test("a synchronous throw from start becomes a rejection", async () => {
    const outcome = await withDeadline("op", {}, () => {
      throw new Error("sync");
    }).catch((e: Error) => e.message);
    expect(outcome).toBe("sync");
  });

  test("an already-aborted signal rejects without starting", async () => {
    const controller = new AbortController();
    controller.abort(new Error("early"));
    let started = false;
    const outcome = await withDeadline("op", { signal: controller.signal }, () => {
      started = true;
      return Promise.resolve(1);
    }).catch((e: Error) => e.message);
    expect(outcome).toBe("early");
    expect(started).toBe(false);
  });

  test("a timeout rejects with a TimeoutError naming the operation and aborts start's signal", async () => {
    let inner: AbortSignal | undefined;
    const never = deferred<number>();
    const outcome = await withDeadline("dial 1.2.3.4:8333", { timeoutMs: 5 }, (signal) => {
      inner = signal;
      return never.promise;
    }).catch((e: Error) => e);
    expect(outcome).toBeInstanceOf(DOMException);
    expect((outcome as DOMException).name).toBe("TimeoutError");
    expect((outcome as DOMException).message).toContain("dial 1.2.3.4:8333");
    expect(inner?.aborted).toBe(true);
  });

  test("a result that arrives after the abort is disposed, not returned", async () => {
    const late = deferred<string>();
    const disposed: string[] = [];
    const controller = new AbortController();
    const running = withDeadline(
      "op",
      { signal: controller.signal },
      () => late.promise,
      (value) => disposed.push(value),
    );
    const reason = new Error("abort");
    controller.abort(reason);
    expect(await running.catch((e) => e)).toBe(reason);
    late.resolve("socket");
    await late.promise;
    await Promise.resolve();
    expect(disposed).toEqual(["socket"]);
  });

  test(
    "a late failure after the abort is swallowed: not disposed, not an unhandled rejection",
    async () => {
      // In a child process: test runners catch unhandled rejections in their
      // own ways (deno's passes them), the runtimes alone all exit non-zero.
      const [command, ...args] = runtimeCommand(runtimeName, LATE_FAILURE);
      const { code, out } = await runToExit(command, args);
      expect({ code, out: out.trim() }).toEqual({
        code: 0,
        out: JSON.stringify({ outcome: "abort", disposed: [] }),
      });
    },
    CHILD_WAIT_MS + 5_000,
  );
});
