/**
 * The real clock over the web-standard `Date.now` and `setTimeout`; every
 * runtime adapter uses it (the simulator has its own virtual clock).
 */
import type { Clock } from "./clock.ts";
import { sleepOn } from "./clock.ts";

/** Wall time and timers of the host program. */
export const systemClock: Clock = {
  now: () => Date.now(),

  setTimer(ms, fn, signal) {
    if (signal?.aborted) return () => {};
    const cancel = () => {
      clearTimeout(id);
      signal?.removeEventListener("abort", cancel);
    };
    const id = setTimeout(() => {
      signal?.removeEventListener("abort", cancel);
      fn();
    }, ms);
    signal?.addEventListener("abort", cancel, { once: true });
    return cancel;
  },

  sleep(ms, signal) {
    return sleepOn(systemClock, ms, signal);
  },
};
