/**
 * A simulated TCP connection with latency: a pair of `Conn`s whose bytes
 * arrive at the far end a fixed one-way delay after they were written, as
 * timers on the simulation's clock (so a virtual clock orders every
 * delivery). Bytes arrive in order and are never lost: loss on a real
 * network shows as TCP delay, which the latency stands for.
 *
 * Each direction holds at most about `capacityBytes` bytes in flight and
 * unread together: past that a write resolves only once the reader has
 * taken enough, as with a full TCP window, so a side that stops reading
 * stalls its writer. Closing one end closes it at once (its pending writes
 * reject, its `closed` resolves); the far end sees the close one delay
 * later, after the bytes written before it (a FIN).
 */
import type { Clock } from "../../src/platform/clock.ts";
import type { Conn, HostPort } from "../../src/platform/conn.ts";
import { connClosedError } from "../shared/errors.ts";
import type { MemoryPipe } from "../memory/pipe.ts";

/** Bytes in flight and unread per direction before writes wait (a modest TCP window). */
export const DEFAULT_LINK_CAPACITY_BYTES = 256 * 1024;

/** Options for `simLink`. */
export interface LinkOptions {
  readonly clock: Clock;
  /** One-way delay in milliseconds (0: delivered at the same virtual instant, in order). */
  readonly latencyMs: number;
  /** Default `DEFAULT_LINK_CAPACITY_BYTES`. */
  readonly capacityBytes?: number;
  /** The dialing side. */
  readonly client: HostPort;
  /** The accepting side. */
  readonly server: HostPort;
  /** Sees every chunk as it arrives (`toServer`: written by the client). */
  readonly onDeliver?: (bytes: Uint8Array, toServer: boolean) => void;
}

/** A write waiting for the window to open. */
interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** One direction of the link: what one end writes and the other reads. */
class Flow {
  readonly #clock: Clock;
  readonly #latency: number;
  readonly #capacity: number;
  readonly #onDeliver: ((bytes: Uint8Array) => void) | undefined;
  readonly #chunks: Uint8Array[] = [];
  /** Bytes written and not yet read (in flight or arrived). */
  #held = 0;
  #lastArrival = 0;
  #senderDone = false;
  #readerDone = false;
  #wakeReader: (() => void) | null = null;
  #writers: Waiter[] = [];

  constructor(
    clock: Clock,
    latency: number,
    capacity: number,
    onDeliver: ((bytes: Uint8Array) => void) | undefined,
  ) {
    this.#clock = clock;
    this.#latency = latency;
    this.#capacity = capacity;
    this.#onDeliver = onDeliver;
  }

  /** Sends a copy of `bytes`; resolves once the window has room again. */
  write(bytes: Uint8Array, label: string): Promise<void> {
    if (this.#senderDone) return Promise.reject(connClosedError(label));
    if (bytes.length === 0) return Promise.resolve();
    const copy = bytes.slice();
    this.#held += copy.length;
    this.#after(() => {
      if (this.#readerDone) {
        this.#held -= copy.length;
        this.#releaseWriters();
        return;
      }
      this.#onDeliver?.(copy);
      this.#chunks.push(copy);
      this.#wake();
    });
    if (this.#held <= this.#capacity) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.#writers.push({ resolve, reject }));
  }

  /** Runs `fn` when bytes written now would arrive (never before earlier ones). */
  #after(fn: () => void): void {
    const now = this.#clock.now();
    const arrival = Math.max(now + this.#latency, this.#lastArrival);
    this.#lastArrival = arrival;
    this.#clock.setTimer(arrival - now, fn);
  }

  /** The writing end is closed: waiting and later writes reject; `fin` runs on arrival. */
  closeSender(label: string, fin: (() => void) | null): void {
    if (this.#senderDone) return;
    this.#senderDone = true;
    this.#rejectWriters(label);
    if (fin !== null) this.#after(fin);
  }

  /** The reading end is closed: it drains what has arrived, then sees the end. */
  closeReader(): void {
    this.#readerDone = true;
    this.#wake();
  }

  /** The next arrived chunk, or null once the reader is closed and drained. */
  async next(): Promise<Uint8Array | null> {
    while (this.#chunks.length === 0 && !this.#readerDone) {
      await new Promise<void>((resolve) => (this.#wakeReader = resolve));
    }
    const chunk = this.#chunks.shift();
    if (chunk === undefined) return null;
    this.#held -= chunk.length;
    this.#releaseWriters();
    return chunk;
  }

  #releaseWriters(): void {
    if (this.#held > this.#capacity || this.#writers.length === 0) return;
    const writers = this.#writers;
    this.#writers = [];
    for (const w of writers) w.resolve();
  }

  #rejectWriters(label: string): void {
    const writers = this.#writers;
    this.#writers = [];
    for (const w of writers) w.reject(connClosedError(label));
  }

  #wake(): void {
    const wake = this.#wakeReader;
    this.#wakeReader = null;
    wake?.();
  }
}

/** One end: what it writes (`out`) and reads (`input`). */
interface End {
  readonly local: HostPort;
  readonly remote: HostPort;
  readonly out: Flow;
  readonly input: Flow;
  done: boolean;
  resolveClosed: () => void;
  readonly closed: Promise<void>;
}

function label(a: HostPort): string {
  return a.host.includes(":") ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}

/** A connected pair of `Conn`s over a link with `latencyMs` one-way delay. */
export function simLink(options: LinkOptions): MemoryPipe {
  const { clock, latencyMs, client, server, onDeliver } = options;
  const capacity = options.capacityBytes ?? DEFAULT_LINK_CAPACITY_BYTES;
  if (!(capacity > 0) || !(latencyMs >= 0)) {
    throw new RangeError("simLink: capacityBytes must be positive and latencyMs not negative");
  }
  const toServer = new Flow(
    clock,
    latencyMs,
    capacity,
    onDeliver && ((b) => onDeliver(b, true)),
  );
  const toClient = new Flow(
    clock,
    latencyMs,
    capacity,
    onDeliver && ((b) => onDeliver(b, false)),
  );
  const makeEnd = (local: HostPort, remote: HostPort, out: Flow, input: Flow): End => {
    let resolveClosed!: () => void;
    const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    return { local, remote, out, input, done: false, resolveClosed, closed };
  };
  const clientEnd = makeEnd(client, server, toServer, toClient);
  const serverEnd = makeEnd(server, client, toClient, toServer);
  const close = (end: End, other: End, byPeer: boolean): void => {
    if (end.done) return;
    end.done = true;
    end.out.closeSender(label(end.remote), byPeer ? null : () => close(other, end, true));
    end.input.closeReader();
    end.resolveClosed();
  };
  const conn = (end: End, other: End): Conn => {
    let cancelled = false;
    const readable = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await end.input.next();
          if (cancelled) return;
          if (chunk === null) controller.close();
          else controller.enqueue(chunk);
        },
        cancel: () => {
          cancelled = true;
          close(end, other, false);
        },
      },
      // Nothing is pulled ahead of a read: unread bytes stay counted in the window.
      { highWaterMark: 0 },
    );
    return {
      local: end.local,
      remote: end.remote,
      readable,
      write: (bytes) => end.out.write(bytes, label(end.remote)),
      close: () => close(end, other, false),
      closed: end.closed,
    };
  };
  return { client: conn(clientEnd, serverEnd), server: conn(serverEnd, clientEnd) };
}
