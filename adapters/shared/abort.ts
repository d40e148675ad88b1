/**
 * Bounds an operation that has no native cancellation by an AbortSignal and a
 * timeout: the caller gets a rejection at once, and a result that arrives
 * afterwards is handed to `dispose` (e.g. a socket that connected too late is
 * closed) instead of leaking.
 */
import { timeoutError } from "./errors.ts";

/** What bounds one operation. */
export interface Deadline {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/**
 * Runs `start(signal)` and settles with its result, or rejects with the
 * caller's signal reason (at once if already aborted) or with a TimeoutError
 * after `timeoutMs`. `start` receives a signal that aborts in both cases, for
 * runtimes that can cancel natively. `what` names the operation in the
 * timeout message.
 */
export function withDeadline<T>(
  what: string,
  deadline: Deadline,
  start: (signal: AbortSignal) => Promise<T>,
  dispose?: (late: T) => void,
): Promise<T> {
  const { signal, timeoutMs } = deadline;
  if (signal?.aborted) return Promise.reject(signal.reason);
  const inner = new AbortController();
  const onAbort = () => inner.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = timeoutMs === undefined
    ? undefined
    : setTimeout(() => inner.abort(timeoutError(what, timeoutMs)), timeoutMs);
  const cleanup = () => {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  };
  return new Promise<T>((resolve, reject) => {
    const onInner = () => {
      cleanup();
      reject(inner.signal.reason);
    };
    inner.signal.addEventListener("abort", onInner, { once: true });
    new Promise<T>((started) => started(start(inner.signal))).then(
      (value) => {
        if (inner.signal.aborted) {
          dispose?.(value);
          return;
        }
        inner.signal.removeEventListener("abort", onInner);
        cleanup();
        resolve(value);
      },
      (error) => {
        if (inner.signal.aborted) return;
        inner.signal.removeEventListener("abort", onInner);
        cleanup();
        reject(error);
      },
    );
  });
}
