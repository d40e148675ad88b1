/** HTTP with `@hono/node-server` (a fetch handler over `node:http`). */
import { serve as honoServe } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import type { Serve } from "../../src/platform/serve.ts";
import { normalizeHost } from "../shared/host.ts";

/** Serves `fetch` on `host:port`; `close()` also drops idle keep-alive connections. */
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
              http.close(() => done());
              http.closeAllConnections();
            });
            return closing;
          },
        });
      },
    );
    server.once("error", reject);
  });
