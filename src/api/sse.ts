/**
 * `GET /events` as Server-Sent Events: each node event becomes
 * `event: <type>` + `data: <json>`, with a comment line as keep-alive when
 * nothing happened for a while. The stream is pulled, so a slow client
 * applies backpressure to its own subscription only; it ends when the client
 * disconnects (request signal or stream cancel) or the source ends.
 */
import type { NodeEvent } from "./source.ts";

/** Keep-alive period: under the 30–60 s idle timeouts of common proxies. */
export const SSE_KEEPALIVE_MS = 15_000;
/** Reconnect delay suggested to EventSource clients (`retry:`). */
export const SSE_RETRY_MS = 5_000;

/** Options of `eventStream`. */
export interface EventStreamOptions {
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
  /** Milliseconds of silence before a keep-alive comment. */
  readonly keepAliveMs: number;
  /** Called exactly once when the stream ends, for whatever reason. */
  readonly onClose: () => void;
  /** Called when the source throws. */
  readonly onError: (error: unknown) => void;
}

const encoder = new TextEncoder();

/** One event as SSE text (JSON has no raw newlines, so `data:` is one line). */
export function formatEvent(event: NodeEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

type Next = { readonly kind: "event"; readonly result: IteratorResult<NodeEvent> } | {
  readonly kind: "idle";
} | { readonly kind: "closed" };

/**
 * The body of an event-stream response over `subscribe`. The subscription
 * gets an AbortSignal that aborts when the stream ends.
 */
export function eventStream(
  subscribe: (signal: AbortSignal) => AsyncIterable<NodeEvent>,
  options: EventStreamOptions,
): ReadableStream<Uint8Array> {
  const abort = new AbortController();
  let iterator: AsyncIterator<NodeEvent> | undefined;
  let pending: Promise<IteratorResult<NodeEvent>> | undefined;
  let closed = false;

  const closedPromise = new Promise<Next>((resolve) => {
    abort.signal.addEventListener("abort", () => resolve({ kind: "closed" }), { once: true });
  });
  const finish = () => {
    if (closed) return;
    closed = true;
    options.signal.removeEventListener("abort", finish);
    abort.abort();
    // Not awaited: a generator blocked in `next` finishes `return` only after it wakes.
    iterator?.return?.()?.catch(() => {});
    options.onClose();
  };
  if (options.signal.aborted) finish();
  else options.signal.addEventListener("abort", finish, { once: true });

  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (closed) return closeQuietly(controller);
      controller.enqueue(encoder.encode(`: btc-edge events\nretry: ${SSE_RETRY_MS}\n\n`));
      try {
        iterator = subscribe(abort.signal)[Symbol.asyncIterator]();
      } catch (error) {
        options.onError(error);
        finish();
        closeQuietly(controller);
      }
    },
    async pull(controller) {
      if (closed || iterator === undefined) return;
      if (pending === undefined) {
        pending = iterator.next();
        // Handled by the race below; this keeps a rejection after the end from going unhandled.
        pending.catch(() => {});
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = new Promise<Next>((resolve) => {
        timer = setTimeout(() => resolve({ kind: "idle" }), options.keepAliveMs);
      });
      let next: Next;
      try {
        next = await Promise.race([
          pending.then((result): Next => ({ kind: "event", result })),
          idle,
          closedPromise,
        ]);
      } catch (error) {
        options.onError(error);
        next = { kind: "closed" };
      } finally {
        clearTimeout(timer);
      }
      if (next.kind === "idle") {
        controller.enqueue(encoder.encode(": keep-alive\n\n"));
        return;
      }
      pending = undefined;
      if (next.kind === "event" && !next.result.done && !closed) {
        controller.enqueue(encoder.encode(formatEvent(next.result.value)));
        return;
      }
      finish();
      closeQuietly(controller);
    },
    cancel() {
      finish();
    },
  });
}

/** Closes `controller` unless the stream was already closed or cancelled. */
function closeQuietly(controller: ReadableStreamDefaultController<Uint8Array>): void {
  try {
    controller.close();
  } catch {
    // Cancelled by the client: nothing left to close.
  }
}
