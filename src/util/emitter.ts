/**
 * A tiny typed event emitter: the peer's owner subscribes to named events
 * whose argument lists are fixed by a map type. A handler that throws does
 * not stop the others or the emitter: the error goes to `onError`.
 */

/** Handler for an event whose arguments are `A`. */
export type Handler<A extends unknown[]> = (...args: A) => void;

/** Named events with typed argument lists. */
export class Emitter<E extends { [K in keyof E]: unknown[] }> {
  readonly #handlers = new Map<keyof E, Set<Handler<never[]>>>();
  readonly #onError: (event: keyof E, error: unknown) => void;

  /** `onError` receives what a handler threw (with the event name). */
  constructor(onError: (event: keyof E, error: unknown) => void) {
    this.#onError = onError;
  }

  /** Calls `handler` on every `event`; returns a function that unsubscribes it. */
  on<K extends keyof E>(event: K, handler: Handler<E[K]>): () => void {
    let set = this.#handlers.get(event);
    if (set === undefined) this.#handlers.set(event, set = new Set());
    const h = handler as unknown as Handler<never[]>;
    set.add(h);
    return () => set.delete(h);
  }

  /** Calls the handlers of `event` in subscription order. */
  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#handlers.get(event);
    if (set === undefined) return;
    for (const handler of [...set]) {
      try {
        (handler as unknown as Handler<E[K]>)(...args);
      } catch (error) {
        this.#onError(event, error);
      }
    }
  }
}
