/** Inbound TCP with `Bun.listen`: one `Conn` per accepted socket. */
import type { Listen } from "../../src/platform/conn.ts";
import { normalizeHost } from "../shared/host.ts";
import { Bun } from "./bun_api.ts";
import { socketHandlers } from "./conn.ts";

/** Binds `host:port` (0 picks a free port) and hands each accepted connection to `onConn`. */
export const listen: Listen = (options) =>
  // Inside an executor, so a bind error (e.g. EADDRINUSE) rejects instead of throwing.
  new Promise((resolve) => {
    const listener = Bun.listen({
      hostname: normalizeHost(options.host),
      port: options.port,
      socket: socketHandlers(options.onConn),
    });
    let stopped = false;
    resolve({
      addr: { host: normalizeHost(listener.hostname), port: listener.port },
      close() {
        if (!stopped) {
          stopped = true;
          // `false`: accepted connections stay open.
          listener.stop(false);
        }
        return Promise.resolve();
      },
    });
  });
