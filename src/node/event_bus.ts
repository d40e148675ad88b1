/**
 * The node's event stream: peer connected/disconnected, block accepted and
 * relayed, bans, address-manager saves. Publishing never blocks; each
 * subscriber has its own bounded queue, and a reader that falls behind loses
 * its oldest events (counted in `dropped`), never the node's memory.
 */

/** Events queued per subscriber before the oldest are dropped. */
export const SUBSCRIBER_QUEUE_LIMIT = 1_000;
/** Subscribers at once (each is an SSE client or an embedder's loop). */
export const MAX_SUBSCRIBERS = 64;

interface Subscriber<E> {
  queue: E[];
  wake: (() => void) | null;
  done: boolean;
}

/** A publish/subscribe stream of `E`. */
export class EventBus<E> {
  readonly #subscribers = new Set<Subscriber<E>>();
  readonly #queueLimit: number;
  /** Set by `close()`: later subscriptions end at once. */
  #closed = false;
  /** Events dropped because a subscriber's queue was full. */
  dropped = 0;

  constructor(queueLimit = SUBSCRIBER_QUEUE_LIMIT) {
    this.#queueLimit = queueLimit;
  }

  /** Subscribers now. */
  get size(): number {
    return this.#subscribers.size;
  }

  /** Delivers `event` to every subscriber's queue. */
  publish(event: E): void {
    for (const s of this.#subscribers) {
      s.queue.push(event);
      if (s.queue.length > this.#queueLimit) {
        s.queue.shift();
        this.dropped++;
      }
      s.wake?.();
    }
  }

  /**
   * Events published from now on, until `signal` aborts or `close()` is
   * called (at once when it was). Throws a RangeError past `MAX_SUBSCRIBERS`.
   */
  subscribe(signal: AbortSignal): AsyncIterable<E> {
    if (this.#subscribers.size >= MAX_SUBSCRIBERS) {
      throw new RangeError(`too many event subscribers (at most ${MAX_SUBSCRIBERS})`);
    }
    const sub: Subscriber<E> = { queue: [], wake: null, done: false };
    const end = () => {
      sub.done = true;
      this.#subscribers.delete(sub);
      sub.wake?.();
    };
    if (signal.aborted || this.#closed) sub.done = true;
    else {
      this.#subscribers.add(sub);
      signal.addEventListener("abort", end, { once: true });
    }
    return {
      [Symbol.asyncIterator]: () => ({
        next: async (): Promise<IteratorResult<E>> => {
          while (sub.queue.length === 0 && !sub.done) {
            await new Promise<void>((resolve) => (sub.wake = resolve));
            sub.wake = null;
          }
          if (sub.queue.length) return { value: sub.queue.shift()!, done: false };
          return { value: undefined, done: true };
        },
        return: (): Promise<IteratorResult<E>> => {
          signal.removeEventListener("abort", end);
          end();
          return Promise.resolve({ value: undefined, done: true });
        },
      }),
    };
  }

  /** Ends every subscription (on node stop). */
  close(): void {
    this.#closed = true;
    for (const s of [...this.#subscribers]) {
      s.done = true;
      this.#subscribers.delete(s);
      s.wake?.();
    }
  }
}
