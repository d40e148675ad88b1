/**
 * The clock port: wall time and cancellable timers. The real adapters use the
 * web-standard timers; the simulator replaces it with a virtual clock.
 */

/** Time and timers. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Calls `fn` once after `ms` milliseconds unless cancelled first (by the
   * returned function or by `signal`). Cancelling twice is harmless.
   */
  setTimer(ms: number, fn: () => void, signal?: AbortSignal): () => void;
  /**
   * Resolves after `ms` milliseconds; rejects with the signal's reason as
   * soon as `signal` aborts (at once if it already has).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * `Clock.sleep` built on a clock's own `setTimer`: resolves when the timer
 * fires; rejects with the signal's reason as soon as it aborts (the timer is
 * cancelled with it).
 */
export function sleepOn(
  clock: Pick<Clock, "setTimer">,
  ms: number,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => reject(signal?.reason);
    clock.setTimer(ms, () => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, signal);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
