/**
 * A virtual clock for the simulator: time stands still until the
 * simulation runs it, then jumps straight to the next timer. Timers fire in
 * order of due time, then of creation, so a run is the same every time.
 *
 * Before each jump the clock lets pending promise work settle (one turn of
 * the host's macrotask queue drains every microtask), so whatever a timer
 * started (a pipe delivery, a decode, a reply) finishes at the virtual
 * instant it began, and no real time passes in between as far as the code
 * under simulation can tell. Nothing in the simulation may use real timers
 * or real I/O; everything waits on this clock.
 */
import type { Clock } from "../../src/platform/clock.ts";
import { sleepOn } from "../../src/platform/clock.ts";

/** 2024-01-01T00:00:00Z: the default start, a fixed instant so runs repeat. */
export const DEFAULT_VIRTUAL_START_MS = 1_704_067_200_000;
/** Cancelled timers kept in the heap before it is rebuilt without them (bounds its size). */
const COMPACT_MIN_DEAD = 4096;

/** One scheduled callback. */
interface Timer {
  readonly at: number;
  readonly seq: number;
  fn: (() => void) | null;
}

/** Options for `VirtualClock`. */
export interface VirtualClockOptions {
  /** Milliseconds since the epoch at the start; default `DEFAULT_VIRTUAL_START_MS`. */
  readonly startMs?: number;
}

/** Lets every pending microtask run: one turn of the host's macrotask queue. */
const macrotaskTurn: () => Promise<void> = (() => {
  // setImmediate (Node, Bun, Deno) is the quickest turn; setTimeout(0) elsewhere.
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return immediate === undefined
    ? () => new Promise<void>((resolve) => setTimeout(resolve, 0))
    : () => new Promise<void>((resolve) => void immediate(resolve));
})();

/** Time that moves only when the simulation runs it. */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: Timer[] = [];
  #dead = 0;
  #fired = 0;
  #running = false;

  constructor(options: VirtualClockOptions = {}) {
    this.#now = options.startMs ?? DEFAULT_VIRTUAL_START_MS;
  }

  /** Virtual milliseconds since the epoch. */
  now(): number {
    return this.#now;
  }

  /** Timers scheduled and not yet fired or cancelled. */
  get pending(): number {
    return this.#heap.length - this.#dead;
  }

  /** Timers fired since the start (a measure of simulation work). */
  get fired(): number {
    return this.#fired;
  }

  /** The due time of the next live timer, or null when none is left. */
  nextAt(): number | null {
    this.#dropCancelledHead();
    return this.#heap[0]?.at ?? null;
  }

  setTimer(ms: number, fn: () => void, signal?: AbortSignal): () => void {
    if (signal?.aborted) return () => {};
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: Timer = { at: this.#now + delay, seq: this.#seq++, fn: null };
    const cancel = () => {
      if (timer.fn === null) return;
      timer.fn = null;
      this.#dead++;
      signal?.removeEventListener("abort", cancel);
      if (this.#dead >= COMPACT_MIN_DEAD && this.#dead * 2 > this.#heap.length) this.#compact();
    };
    timer.fn = () => {
      signal?.removeEventListener("abort", cancel);
      fn();
    };
    signal?.addEventListener("abort", cancel, { once: true });
    this.#push(timer);
    return cancel;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  /** Lets all pending promise work run without moving time. */
  async settle(): Promise<void> {
    await macrotaskTurn();
  }

  /**
   * Runs every timer due up to virtual time `t` (each after the work of
   * the previous one has settled), then sets the time to `t`. Stops early,
   * at the time reached, when `until` returns true between two timers.
   * Resolves with the virtual time reached.
   */
  async runUntil(t: number, until?: () => boolean): Promise<number> {
    if (this.#running) throw new Error("VirtualClock: runUntil is already running");
    this.#running = true;
    try {
      for (;;) {
        await macrotaskTurn();
        if (until?.()) return this.#now;
        const next = this.#popDue(t);
        if (next === null) break;
        if (next.at > this.#now) this.#now = next.at;
        const fn = next.fn!;
        next.fn = null;
        this.#fired++;
        fn();
      }
      if (t > this.#now) this.#now = t;
      await macrotaskTurn();
      return this.#now;
    } finally {
      this.#running = false;
    }
  }

  /** Runs the clock `ms` virtual milliseconds forward (see `runUntil`). */
  advance(ms: number, until?: () => boolean): Promise<number> {
    return this.runUntil(this.#now + ms, until);
  }

  /** The next live timer due at or before `t`, removed from the heap; null if none. */
  #popDue(t: number): Timer | null {
    this.#dropCancelledHead();
    const head = this.#heap[0];
    if (head === undefined || head.at > t) return null;
    this.#pop();
    return head;
  }

  #dropCancelledHead(): void {
    while (this.#heap.length > 0 && this.#heap[0].fn === null) {
      this.#pop();
      this.#dead--;
    }
  }

  /** Rebuilds the heap without cancelled timers. */
  #compact(): void {
    const live = this.#heap.filter((t) => t.fn !== null);
    live.sort(before);
    this.#heap = live; // a sorted array is a valid heap
    this.#dead = 0;
  }

  #push(timer: Timer): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (before(heap[parent], timer) <= 0) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = timer;
  }

  #pop(): void {
    const heap = this.#heap;
    const last = heap.pop()!;
    if (heap.length === 0) return;
    let i = 0;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(heap[r], heap[l]) < 0 ? r : l;
      if (before(last, heap[c]) <= 0) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
  }
}

/** Heap order: due time, then creation order. */
function before(a: Timer, b: Timer): number {
  return a.at - b.at || a.seq - b.seq;
}
