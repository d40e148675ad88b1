/** Inbound TCP with `Deno.listen` and an accept loop. */
import type { Listen } from "../../src/platform/conn.ts";
import { normalizeHost } from "../shared/host.ts";
import { wrapDenoConn } from "./conn.ts";

/** Pause after a failed accept (e.g. out of file descriptors) before trying again. */
export const ACCEPT_RETRY_MS = 100;

/** Binds `host:port` (0 picks a free port) and hands each accepted connection to `onConn`. */
export const listen: Listen = (options) =>
  // Inside an executor, so a bind error (e.g. AddrInUse) rejects instead of throwing.
  new Promise((resolve) => {
    const listener = Deno.listen({
      hostname: normalizeHost(options.host),
      port: options.port,
      transport: "tcp",
    });
    let closing = false;
    const acceptLoop = async () => {
      while (!closing) {
        let conn: Deno.TcpConn;
        try {
          conn = await listener.accept();
        } catch (error) {
          if (closing || error instanceof Deno.errors.BadResource) return;
          await new Promise((wake) => setTimeout(wake, ACCEPT_RETRY_MS));
          continue;
        }
        options.onConn(wrapDenoConn(conn));
      }
    };
    const done = acceptLoop();
    resolve({
      addr: { host: normalizeHost(listener.addr.hostname), port: listener.addr.port },
      close() {
        if (!closing) {
          closing = true;
          listener.close();
        }
        return done;
      },
    });
  });
