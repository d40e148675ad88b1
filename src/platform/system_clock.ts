/**
 * The real clock over the web-standard `Date.now` and `setTimeout`; every
 * runtime adapter uses it (the simulator has its own virtual clock).
 */
import type { Clock } from "./clock.ts";

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
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(id);
        reject(signal?.reason);
      };
      const id = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};
