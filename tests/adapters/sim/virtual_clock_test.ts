/**
 * The virtual clock: time moves only when run, timers fire in order of due
 * time then creation, cancelled and aborted timers never fire, sleeps
 * resolve or reject as the Clock port says, and the promise work a timer
 * starts settles before the clock jumps to the next timer.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_VIRTUAL_START_MS, VirtualClock } from "../../../adapters/sim/virtual_clock.ts";

describe("virtual clock", () => {
  test("time stands still until the clock is run, then jumps to each timer", async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.setTimer(5_000, () => seen.push(clock.now()));
    clock.setTimer(1_000, () => seen.push(clock.now()));
    expect(clock.now()).toBe(DEFAULT_VIRTUAL_START_MS);
    expect(clock.pending).toBe(2);
    await clock.advance(10_000);
    expect(seen).toEqual([DEFAULT_VIRTUAL_START_MS + 1_000, DEFAULT_VIRTUAL_START_MS + 5_000]);
    expect(clock.now()).toBe(DEFAULT_VIRTUAL_START_MS + 10_000);
    expect(clock.fired).toBe(2);
  });

  test("timers due at the same time fire in the order they were set", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const order: string[] = [];
    for (const name of ["a", "b", "c", "d"]) clock.setTimer(100, () => order.push(name));
    clock.setTimer(0, () => order.push("first"));
    await clock.advance(100);
    expect(order).toEqual(["first", "a", "b", "c", "d"]);
  });

  test("a timer past the end of the run waits for the next run", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    let fired = false;
    clock.setTimer(2_000, () => (fired = true));
    await clock.advance(1_999);
    expect(fired).toBe(false);
    expect(clock.nextAt()).toBe(2_000);
    await clock.advance(1);
    expect(fired).toBe(true);
    expect(clock.nextAt()).toBe(null);
  });

  test("cancelled timers and timers whose signal aborts never fire", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    let fired = 0;
    const cancel = clock.setTimer(10, () => fired++);
    cancel();
    cancel();
    const abort = new AbortController();
    clock.setTimer(10, () => fired++, abort.signal);
    abort.abort();
    clock.setTimer(10, () => fired++, abort.signal); // already aborted: never scheduled
    expect(clock.pending).toBe(0);
    await clock.advance(100);
    expect(fired).toBe(0);
  });

  test("sleep resolves at its virtual time and rejects with the signal's reason on abort", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    let wokeAt = -1;
    void clock.sleep(300).then(() => (wokeAt = clock.now()));
    const abort = new AbortController();
    const aborted = clock.sleep(1_000, abort.signal).catch((e: unknown) => e);
    clock.setTimer(500, () => abort.abort(new Error("stop")));
    await clock.advance(2_000);
    expect(wokeAt).toBe(300);
    expect(((await aborted) as Error).message).toBe("stop");
  });

  test("the work a timer starts settles before the next timer fires", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const log: string[] = [];
    clock.setTimer(10, () => {
      // A chain of promise steps, as a decode and reply would make.
      void (async () => {
        for (let i = 0; i < 50; i++) await Promise.resolve();
        log.push(`chain done at ${clock.now()}`);
        clock.setTimer(0, () => log.push(`follow-up at ${clock.now()}`));
      })();
    });
    clock.setTimer(11, () => log.push(`next timer at ${clock.now()}`));
    await clock.advance(20);
    expect(log).toEqual(["chain done at 10", "follow-up at 10", "next timer at 11"]);
  });

  test("a run stops early when its condition holds, at the time reached", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    let count = 0;
    for (let t = 100; t <= 1_000; t += 100) clock.setTimer(t, () => count++);
    const reached = await clock.advance(10_000, () => count >= 3);
    expect(reached).toBe(300);
    expect(count).toBe(3);
  });

  test("many cancelled timers are dropped without disturbing the order of the rest", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const fired: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const cancel = clock.setTimer(1 + (i % 977), () => fired.push(i));
      if (i % 10 !== 0) cancel();
    }
    expect(clock.pending).toBe(2_000);
    await clock.advance(1_000);
    expect(fired.length).toBe(2_000);
    const due = (i: number) => 1 + (i % 977);
    for (let k = 1; k < fired.length; k++) {
      const [a, b] = [fired[k - 1], fired[k]];
      expect(due(a) < due(b) || (due(a) === due(b) && a < b)).toBe(true);
    }
  });

  test("runUntil refuses to run twice at once", async () => {
    const clock = new VirtualClock({ startMs: 0 });
    const first = clock.advance(10);
    const error = await clock.advance(10).catch((e: unknown) => e);
    expect((error as Error).message).toContain("already running");
    await first;
  });
});
