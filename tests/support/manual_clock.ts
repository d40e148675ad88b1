/**
 * Test helper: a Clock whose time moves only when the test says so, so
 * timeouts are exercised deterministically (no wall-clock waiting).
 */
import type { Clock } from "../../src/platform/clock.ts";
import { sleepOn } from "../../src/platform/clock.ts";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A virtual clock: `advance(ms)` fires the timers that fall due, in time order. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();

  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void, signal?: AbortSignal): () => void {
    if (signal?.aborted) return () => {};
    const seq = this.#seq++;
    const cancel = () => {
      this.#timers.delete(seq);
      signal?.removeEventListener("abort", cancel);
    };
    this.#timers.set(seq, {
      at: this.#now + ms,
      seq,
      fn: () => {
        signal?.removeEventListener("abort", cancel);
        fn();
      },
    });
    signal?.addEventListener("abort", cancel, { once: true });
    return cancel;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Moves time forward by `ms`, firing each timer that falls due at its own time. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let due: Timer | undefined;
      for (const t of this.#timers.values()) {
        if (t.at <= end && (!due || t.at < due.at || (t.at === due.at && t.seq < due.seq))) due = t;
      }
      if (due === undefined) break;
      this.#timers.delete(due.seq);
      this.#now = Math.max(this.#now, due.at);
      due.fn();
    }
    this.#now = end;
  }

  /** Timers not yet fired or cancelled. */
  get pending(): number {
    return this.#timers.size;
  }
}
