/**
 * An in-memory connection pair implementing the `Conn` port with web
 * standards only, for tests and the simulator. Each direction holds at most
 * about `capacityBytes` unread bytes: a write resolves only once the reader
 * has taken enough for the buffer to have room again, so a side that stops
 * reading stalls its writer exactly as a full TCP send buffer does.
 */
import type { Conn, HostPort } from "../../src/platform/conn.ts";
import { connClosedError } from "../shared/errors.ts";

/** Unread bytes one direction buffers before writes stop resolving (a small socket buffer). */
export const DEFAULT_PIPE_CAPACITY_BYTES = 64 * 1024;

/** Options for `memoryPipe`. */
export interface PipeOptions {
  /** Unread bytes per direction before `write` waits; default `DEFAULT_PIPE_CAPACITY_BYTES`. */
  readonly capacityBytes?: number;
  /**
   * Largest chunk a read returns (a written chunk is split to fit), to
   * exercise decoders on partial messages. Default: chunks as written.
   */
  readonly readChunkBytes?: number;
  /** The dialing side's address; default 127.0.0.1:50000. */
  readonly client?: HostPort;
  /** The accepting side's address; default 127.0.0.1:8333. */
  readonly server?: HostPort;
}

/** The two ends of one in-memory connection. */
export interface MemoryPipe {
  /** The end that "dialed": its `remote` is the server address. */
  readonly client: Conn;
  /** The end that "accepted": its `remote` is the client address. */
  readonly server: Conn;
}

/** A write waiting for the buffer to drain. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** One direction: bytes written by one end, read by the other. */
class Channel {
  readonly #capacity: number;
  readonly #readChunk: number;
  readonly #chunks: Uint8Array[] = [];
  #buffered = 0;
  #ended = false;
  #wakeReader: (() => void) | null = null;
  #writers: Waiter[] = [];
  readonly readable: ReadableStream<Uint8Array>;

  constructor(capacity: number, readChunk: number, onCancel: () => void) {
    this.#capacity = capacity;
    this.#readChunk = readChunk;
    let cancelled = false;
    this.readable = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          while (this.#chunks.length === 0 && !this.#ended) {
            await new Promise<void>((resolve) => (this.#wakeReader = resolve));
          }
          if (cancelled) return;
          const chunk = this.#take();
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
        cancel: () => {
          cancelled = true;
          onCancel();
        },
      },
      // Nothing is pulled ahead of a read: unread bytes stay counted in #buffered.
      { highWaterMark: 0 },
    );
  }

  /** Buffers a copy of `bytes`; resolves once unread bytes are within capacity again. */
  write(bytes: Uint8Array, label: string): Promise<void> {
    if (this.#ended) return Promise.reject(connClosedError(label));
    if (bytes.length === 0) return Promise.resolve();
    this.#chunks.push(bytes.slice());
    this.#buffered += bytes.length;
    this.#wake();
    if (this.#buffered <= this.#capacity) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.#writers.push({ resolve, reject }));
  }

  /** No more writes; the reader drains what is buffered, then sees the end. Idempotent. */
  end(label: string): void {
    if (this.#ended) return;
    this.#ended = true;
    const writers = this.#writers;
    this.#writers = [];
    for (const w of writers) w.reject(connClosedError(label));
    this.#wake();
  }

  /** The next chunk (at most `#readChunk` bytes), or `null` once ended and drained. */
  #take(): Uint8Array | null {
    const head = this.#chunks[0];
    if (head === undefined) return null;
    let out = head;
    if (head.length > this.#readChunk) {
      out = head.subarray(0, this.#readChunk);
      this.#chunks[0] = head.subarray(this.#readChunk);
    } else {
      this.#chunks.shift();
    }
    this.#buffered -= out.length;
    if (this.#buffered <= this.#capacity && this.#writers.length > 0) {
      const writers = this.#writers;
      this.#writers = [];
      for (const w of writers) w.resolve();
    }
    return out;
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = null;
    wake?.();
  }
}

/**
 * A connected pair of `Conn`s. Closing either end (or cancelling either
 * readable) closes both: each side can still read what was already written
 * to it, then its stream ends; writes waiting for room, and later writes,
 * reject with a "ConnClosedError".
 */
export function memoryPipe(options: PipeOptions = {}): MemoryPipe {
  const capacity = options.capacityBytes ?? DEFAULT_PIPE_CAPACITY_BYTES;
  const readChunk = options.readChunkBytes ?? Number.POSITIVE_INFINITY;
  const clientAddr = options.client ?? { host: "127.0.0.1", port: 50000 };
  const serverAddr = options.server ?? { host: "127.0.0.1", port: 8333 };
  if (!(capacity > 0) || !(readChunk > 0)) {
    throw new RangeError("memoryPipe: capacityBytes and readChunkBytes must be positive");
  }
  let isClosed = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    toServer.end(label(serverAddr));
    toClient.end(label(clientAddr));
    resolveClosed();
  };
  const toServer = new Channel(capacity, readChunk, close);
  const toClient = new Channel(capacity, readChunk, close);
  const end = (local: HostPort, remote: HostPort, out: Channel, input: Channel): Conn => ({
    remote,
    local,
    readable: input.readable,
    write: (bytes) => out.write(bytes, label(remote)),
    close,
    closed,
  });
  return {
    client: end(clientAddr, serverAddr, toServer, toClient),
    server: end(serverAddr, clientAddr, toClient, toServer),
  };
}

function label(a: HostPort): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
