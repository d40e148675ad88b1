/**
 * The outgoing queue of one peer. Frames wait here until the connection
 * takes them; one write is in flight at a time and the next starts only when
 * the previous resolved, so the connection's backpressure paces the queue.
 * The bytes held (queued plus in flight) are bounded: a push that would go
 * past the bound is refused, and the peer drops a remote that stopped
 * reading instead of buffering without limit.
 */

/** Default bound on bytes waiting to be sent to one peer. bcoin's DRAIN_MAX (10 MiB). */
export const DEFAULT_SEND_QUEUE_LIMIT_BYTES = 10 * 1024 * 1024;

/** Written entries after which the array is compacted (keeps dequeue O(1) amortised). */
const COMPACT_AFTER = 1024;

/** What became of a push. */
export type PushResult =
  /** Queued for writing. */
  | "queued"
  /** The queue is closed (the peer is disconnecting): dropped. */
  | "closed"
  /** Accepting it would exceed the byte bound: dropped. */
  | "overflow";

/** A bounded FIFO of frames written one after another. */
export class SendQueue {
  readonly #write: (bytes: Uint8Array) => Promise<void>;
  readonly #limit: number;
  readonly #onWriteError: (error: unknown) => void;
  /** Each entry is one frame as one or more chunks (header and payload may be separate). */
  #entries: Uint8Array[][] = [];
  #head = 0;
  #bytes = 0;
  #writing = false;
  #closed = false;

  /**
   * `write`: the connection's write (honouring its backpressure);
   * `limitBytes`: the bound; `onWriteError`: called once if a write fails
   * (the queue is closed by then).
   */
  constructor(
    write: (bytes: Uint8Array) => Promise<void>,
    limitBytes: number,
    onWriteError: (error: unknown) => void,
  ) {
    if (!(limitBytes > 0)) {
      throw new RangeError(`send queue limit must be positive, got ${limitBytes}`);
    }
    this.#write = write;
    this.#limit = limitBytes;
    this.#onWriteError = onWriteError;
  }

  /** Bytes held: queued plus the write in flight. Never above the bound. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The bound in bytes. */
  get limit(): number {
    return this.#limit;
  }

  /**
   * Queues one frame given as chunks (written in order, not copied: the
   * caller must not modify them afterwards).
   */
  push(chunks: Uint8Array[]): PushResult {
    if (this.#closed) return "closed";
    let size = 0;
    for (const c of chunks) size += c.length;
    if (this.#bytes + size > this.#limit) return "overflow";
    this.#bytes += size;
    this.#entries.push(chunks);
    if (!this.#writing) void this.#drain();
    return "queued";
  }

  /** Drops everything queued; later pushes return "closed". Idempotent. */
  close(): void {
    this.#closed = true;
    this.#entries = [];
    this.#head = 0;
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      while (!this.#closed && this.#head < this.#entries.length) {
        const entry = this.#entries[this.#head];
        this.#entries[this.#head++] = [];
        for (const chunk of entry) {
          if (this.#closed) return;
          await this.#write(chunk);
          this.#bytes -= chunk.length;
        }
        if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#entries.length) {
          this.#entries = this.#entries.slice(this.#head);
          this.#head = 0;
        }
      }
      this.#entries = [];
      this.#head = 0;
    } catch (error) {
      if (!this.#closed) {
        this.close();
        this.#onWriteError(error);
      }
    } finally {
      this.#writing = false;
    }
  }
}
