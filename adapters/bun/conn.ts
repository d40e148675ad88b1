/**
 * Bun sockets as `Conn`s. Bun's handlers are per listener / connect call, so
 * each socket's state lives in `socket.data`. `socket.write` writes only what
 * the kernel takes at once and returns that count: the rest stays queued here
 * and is flushed from the `drain` handler, and a `write()` resolves once its
 * last byte was handed over. Reads pause the socket while the stream's queue
 * is full.
 */
import type { Conn } from "../../src/platform/conn.ts";
import { connClosedError } from "../shared/errors.ts";
import { formatHostPort, normalizeHost } from "../shared/host.ts";
import { pushReadable } from "../shared/push_readable.ts";
import type { BunSocket, BunSocketHandlers } from "./bun_api.ts";

/** What a socket's handlers call into. */
export interface SocketState {
  readonly conn: Conn;
  onData(chunk: Uint8Array): void;
  onDrain(): void;
  onEnd(): void;
  onError(error: Error): void;
  onClose(): void;
}

/** One queued write: the bytes not yet taken and how to settle it. */
interface PendingWrite {
  bytes: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Handlers that wrap every socket as a `Conn` when it opens and pass it to
 * `onOpen` (accepted sockets); dialled sockets find theirs in `socket.data`.
 */
export function socketHandlers(
  onOpen?: (conn: Conn) => void,
): BunSocketHandlers<SocketState | undefined> {
  return {
    open(socket) {
      const state = wrapBunSocket(socket);
      socket.data = state;
      onOpen?.(state.conn);
    },
    data: (socket, chunk) => socket.data?.onData(chunk),
    drain: (socket) => socket.data?.onDrain(),
    end: (socket) => socket.data?.onEnd(),
    error: (socket, error) => socket.data?.onError(error),
    close: (socket) => socket.data?.onClose(),
  };
}

/** Builds the state and `Conn` of an open socket. */
function wrapBunSocket(socket: BunSocket<SocketState | undefined>): SocketState {
  const remote = { host: normalizeHost(socket.remoteAddress), port: socket.remotePort };
  const local = { host: normalizeHost(socket.localAddress), port: socket.localPort };
  const label = formatHostPort(remote.host, remote.port);
  let isClosed = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  const queue: PendingWrite[] = [];

  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    socket.end();
    input.end();
    const error = connClosedError(label);
    for (const pending of queue.splice(0)) pending.reject(error);
    resolveClosed();
  };

  const input = pushReadable({
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    cancel: close,
  });

  /** Hands queued bytes to the socket until it takes less than offered. */
  const flush = (): void => {
    while (queue.length > 0 && !isClosed) {
      const head = queue[0];
      const taken = socket.write(head.bytes);
      if (taken < head.bytes.length) {
        if (taken > 0) head.bytes = head.bytes.subarray(taken);
        return;
      }
      queue.shift();
      head.resolve();
    }
  };

  const write = (bytes: Uint8Array): Promise<void> => {
    if (isClosed) return Promise.reject(connClosedError(label));
    return new Promise<void>((resolve, reject) => {
      queue.push({ bytes, resolve, reject });
      if (queue.length === 1) flush();
    });
  };

  socket.setNoDelay(true);
  return {
    conn: { remote, local, readable: input.readable, write, close, closed },
    onData: (chunk) => input.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    onDrain: flush,
    onEnd: () => input.end(),
    onError: (error) => input.fail(error),
    onClose: close,
  };
}
