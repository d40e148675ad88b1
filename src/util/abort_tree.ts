/**
 * The AbortController tree: the node owns the root controller; each room and
 * each bounded operation (a dial, a SOCKS5 handshake, a seed connection)
 * takes a child that aborts with its parent. A child detaches from its parent
 * when disposed, so long-lived parents do not collect one listener per
 * finished operation.
 */

/** A controller linked to a parent signal. */
export interface ChildController {
  readonly controller: AbortController;
  readonly signal: AbortSignal;
  /** Detaches from the parent (the child keeps its state). Idempotent. */
  dispose(): void;
}

/**
 * A controller that aborts, with the parent's reason, when `parent` aborts
 * (at once if it already has). Without a parent it is a plain controller.
 */
export function childController(parent?: AbortSignal): ChildController {
  const controller = new AbortController();
  if (parent === undefined) {
    return { controller, signal: controller.signal, dispose: () => {} };
  }
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { controller, signal: controller.signal, dispose: () => {} };
  }
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener("abort", onAbort, { once: true });
  const dispose = () => parent.removeEventListener("abort", onAbort);
  controller.signal.addEventListener("abort", dispose, { once: true });
  return { controller, signal: controller.signal, dispose };
}

/** The reason a signal aborted, as an Error (signals may abort with anything). */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new DOMException(String(r ?? "aborted"), "AbortError");
}

/** A `DOMException` named "TimeoutError" (the shape the Dial port uses) saying what timed out. */
export function timeoutError(what: string, ms: number): DOMException {
  return new DOMException(`${what} timed out after ${ms} ms`, "TimeoutError");
}
