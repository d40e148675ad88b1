/** Inbound TCP with `node:net`: one `Conn` per accepted socket. */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { Listen } from "../../src/platform/conn.ts";
import { normalizeHost } from "../shared/host.ts";
import { wrapSocket } from "./conn.ts";

/** Binds `host:port` (0 picks a free port) and hands each accepted connection to `onConn`. */
export const listen: Listen = (options) =>
  new Promise((resolve, reject) => {
    const server = createServer((socket) => {
      // A socket reset before we saw it has no address: nothing to hand over.
      if (socket.remoteAddress === undefined) socket.destroy();
      else options.onConn(wrapSocket(socket));
    });
    server.once("error", reject);
    server.listen({ host: normalizeHost(options.host), port: options.port }, () => {
      server.off("error", reject);
      // Accept errors after binding (e.g. EMFILE) are transient; libuv retries.
      server.on("error", () => {});
      const bound = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      resolve({
        addr: { host: normalizeHost(bound.address), port: bound.port },
        close() {
          // server.close() stops listening at once; its callback would wait
          // for the accepted connections, which are not ours to wait for.
          closing ??= (server.close(), Promise.resolve());
          return closing;
        },
      });
    });
  });
