/**
 * A connected `node:net` socket as a `Conn`. Reads are paused while the
 * stream's queue is full; a write resolves after Node has handed the bytes to
 * the kernel and, when `socket.write` reported a full buffer, after 'drain'.
 */
import type { Socket } from "node:net";
import type { Conn, HostPort } from "../../src/platform/conn.ts";
import { connClosedError } from "../shared/errors.ts";
import { formatHostPort, normalizeHost } from "../shared/host.ts";
import { pushReadable } from "../shared/push_readable.ts";

/**
 * Wraps a socket that is already connected (its addresses are known). The
 * socket's data, end, error and close events belong to the returned `Conn`.
 */
export function wrapSocket(socket: Socket): Conn {
  const remote: HostPort = {
    host: normalizeHost(socket.remoteAddress ?? ""),
    port: socket.remotePort ?? 0,
  };
  const local: HostPort = {
    host: normalizeHost(socket.localAddress ?? ""),
    port: socket.localPort ?? 0,
  };
  const label = formatHostPort(remote.host, remote.port);
  let isClosed = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  /** Writes in flight, failed together on close. */
  const pending = new Set<(cause?: unknown) => void>();
  /** Writes waiting for 'drain' (one listener serves them all). */
  let drainWaiters: Array<() => void> = [];

  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    socket.destroy();
    input.end();
    for (const fail of pending) fail();
    pending.clear();
    drainWaiters = [];
    resolveClosed();
  };

  const input = pushReadable({
    pause: () => socket.pause(),
    resume: () => socket.resume(),
    cancel: close,
  });

  socket.setNoDelay(true);
  socket.on("data", (chunk: Uint8Array) => {
    input.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  socket.on("drain", () => {
    const waiters = drainWaiters;
    drainWaiters = [];
    for (const wake of waiters) wake();
  });
  socket.on("end", () => input.end());
  socket.on("error", (error) => input.fail(error));
  socket.on("close", close);

  const write = (bytes: Uint8Array): Promise<void> => {
    if (isClosed) return Promise.reject(connClosedError(label));
    return new Promise<void>((resolve, reject) => {
      let flushed = false;
      let drained = true;
      const fail = (cause?: unknown) => {
        if (pending.delete(fail)) reject(connClosedError(label, cause));
      };
      const succeed = () => {
        if (flushed && drained && pending.delete(fail)) resolve();
      };
      pending.add(fail);
      drained = socket.write(bytes, (error) => {
        flushed = true;
        if (error) fail(error);
        else succeed();
      });
      if (!drained) {
        drainWaiters.push(() => {
          drained = true;
          succeed();
        });
      }
    });
  };

  return { remote, local, readable: input.readable, write, close, closed };
}
