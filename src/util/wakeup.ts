/**
 * A wake-up call for a background loop: the loop waits until something
 * happened (a peer was lost, a dial ended, addresses arrived) or a recheck
 * interval passed, whichever comes first. A notice given while the loop is
 * busy is kept, so none is lost between two waits.
 */
import type { Clock } from "../platform/clock.ts";

/** One loop's wake-up flag. */
export class Wakeup {
  #pending = false;
  #wake: (() => void) | null = null;

  /** Wakes the loop now (or at its next wait). */
  notify(): void {
    this.#pending = true;
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  /**
   * Resolves at the next notice (at once if one is pending), after `ms`, or
   * when `signal` aborts. Never rejects.
   */
  wait(ms: number, clock: Clock, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = () => {
        cancel();
        signal.removeEventListener("abort", done);
        this.#wake = null;
        this.#pending = false;
        resolve();
      };
      const cancel = clock.setTimer(ms, done, signal);
      signal.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }
}
