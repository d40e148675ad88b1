/**
 * A `Deno.TcpConn` as a `Conn`. Reading is pull-based: the stream reads from
 * the socket only while its queue has room, so an unread connection stops
 * reading and its peer's sends back up. Writes are serialized and loop until
 * `conn.write` (which may write part) has taken every byte; each resolves
 * when Deno has handed its last byte to the kernel.
 */
import type { Conn, HostPort } from "../../src/platform/conn.ts";
import { connClosedError } from "../shared/errors.ts";
import { formatHostPort, normalizeHost } from "../shared/host.ts";
import { READ_HIGH_WATER_BYTES } from "../shared/push_readable.ts";

/**
 * Largest `conn.read` buffer (a reused scratch buffer; chunks are copied out).
 * Each connection starts with `MIN_READ_CHUNK_BYTES`, grows fourfold after a
 * read that fills it and drops back after one that does not fill the
 * smallest: an idle peer (one read always pending) holds 4 KiB, a block
 * download reads 64 KiB at a time.
 */
export const READ_CHUNK_BYTES = 64 * 1024;
/** Smallest `conn.read` buffer, held by idle connections. */
export const MIN_READ_CHUNK_BYTES = 4 * 1024;

/** Wraps an open TCP connection. */
export function wrapDenoConn(conn: Deno.TcpConn): Conn {
  const remote = addrOf(conn.remoteAddr);
  const local = addrOf(conn.localAddr);
  const label = formatHostPort(remote.host, remote.port);
  let isClosed = false;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let writeChain: Promise<void> = Promise.resolve();

  const close = (): void => {
    if (isClosed) return;
    isClosed = true;
    try {
      conn.close();
    } catch {
      // Already closed by Deno after a fatal error: nothing left to release.
    }
    resolveClosed();
  };

  conn.setNoDelay(true);
  let scratch = new Uint8Array(MIN_READ_CHUNK_BYTES);
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let n: number | null;
        try {
          n = await conn.read(scratch);
        } catch (error) {
          if (isClosed) controller.close();
          else controller.error(error);
          close();
          return;
        }
        if (n === null) {
          controller.close();
          close();
        } else {
          controller.enqueue(scratch.slice(0, n));
          if (n === scratch.length && n < READ_CHUNK_BYTES) scratch = new Uint8Array(n * 4);
          else if (n < MIN_READ_CHUNK_BYTES && scratch.length > MIN_READ_CHUNK_BYTES) {
            scratch = new Uint8Array(MIN_READ_CHUNK_BYTES);
          }
        }
      },
      cancel: close,
    },
    { highWaterMark: READ_HIGH_WATER_BYTES, size: (chunk) => chunk.byteLength },
  );

  const writeAll = async (bytes: Uint8Array): Promise<void> => {
    let offset = 0;
    while (offset < bytes.length) {
      if (isClosed) throw connClosedError(label);
      try {
        offset += await conn.write(bytes.subarray(offset));
      } catch (error) {
        close();
        throw connClosedError(label, error);
      }
    }
  };

  const write = (bytes: Uint8Array): Promise<void> => {
    if (isClosed) return Promise.reject(connClosedError(label));
    const next = writeChain.then(() => writeAll(bytes));
    writeChain = next.catch(() => {});
    return next;
  };

  return { remote, local, readable, write, close, closed };
}

function addrOf(addr: Deno.NetAddr): HostPort {
  return { host: normalizeHost(addr.hostname), port: addr.port };
}
