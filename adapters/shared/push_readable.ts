/**
 * A byte ReadableStream fed by an event-driven socket (node:net, Bun): chunks
 * are queued until the reader takes them, and the socket is paused while the
 * queue holds `READ_HIGH_WATER_BYTES` or more, so a peer that sends faster
 * than we read fills its own send buffer instead of our memory.
 */

/** Bytes queued per connection before the socket stops reading. */
export const READ_HIGH_WATER_BYTES = 256 * 1024;

/** The socket operations the stream drives. */
export interface PushSource {
  /** Stop reading from the socket. */
  pause(): void;
  /** Resume reading from the socket. */
  resume(): void;
  /** The reader cancelled the stream: close the connection. */
  cancel(): void;
}

/** The stream and the feeding side. */
export interface PushReadable {
  readonly readable: ReadableStream<Uint8Array>;
  /** Queues a chunk (ignored once ended). */
  push(chunk: Uint8Array): void;
  /** Ends the stream normally; queued chunks stay readable. Idempotent. */
  end(): void;
  /** Errors the stream (queued chunks are dropped). Ignored once ended. */
  fail(error: unknown): void;
}

/** Creates a stream over `source`; reading starts resumed. */
export function pushReadable(source: PushSource): PushReadable {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let done = false;
  const readable = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        if (!done) source.resume();
      },
      cancel() {
        done = true;
        source.cancel();
      },
    },
    { highWaterMark: READ_HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );
  return {
    readable,
    push(chunk) {
      if (done) return;
      controller.enqueue(chunk);
      if ((controller.desiredSize ?? 0) <= 0) source.pause();
    },
    end() {
      if (done) return;
      done = true;
      controller.close();
    },
    fail(error) {
      if (done) return;
      done = true;
      controller.error(error);
    },
  };
}
