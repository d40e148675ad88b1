/** HTTP with `@hono/node-server` (a fetch handler over `node:http`). */
import { serve as honoServe } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Serve } from "../../src/platform/serve.ts";
import { normalizeHost } from "../shared/host.ts";
import { CLOSE_GRACE_MS } from "../shared/serve_grace.ts";

/**
 * Serves `fetch` on `host:port`. `close()` stops accepting, drops idle
 * keep-alive connections, lets requests in flight finish for up to
 * `CLOSE_GRACE_MS`, then drops what is left.
 */
export const serve: Serve = (options) =>
  new Promise((resolve, reject) => {
    const server = honoServe(
      { fetch: options.fetch, hostname: normalizeHost(options.host), port: options.port },
      (info: AddressInfo) => {
        server.off("error", reject);
        let closing: Promise<void> | undefined;
        resolve({
          addr: { host: normalizeHost(info.address), port: info.port },
          close() {
            closing ??= new Promise<void>((done) => {
              const http = server as Server;
              const force = setTimeout(() => http.closeAllConnections(), CLOSE_GRACE_MS);
              http.close(() => {
                clearTimeout(force);
                done();
              });
              http.closeIdleConnections();
            });
            return closing;
          },
        });
      },
    );
    server.once("error", reject);
  });
