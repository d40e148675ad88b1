/** HTTP with `Bun.serve`. */
import type { Serve } from "../../src/platform/serve.ts";
import { normalizeHost } from "../shared/host.ts";
import { CLOSE_GRACE_MS } from "../shared/serve_grace.ts";
import { Bun } from "./bun_api.ts";

/**
 * Serves `fetch` on `host:port`. `close()` lets requests in flight finish for
 * up to `CLOSE_GRACE_MS`, then stops and drops every connection.
 */
export const serve: Serve = (options) =>
  // Inside an executor, so a bind error (e.g. EADDRINUSE) rejects instead of throwing.
  new Promise((resolve) => {
    const server = Bun.serve({
      hostname: normalizeHost(options.host),
      port: options.port,
      fetch: (request) => options.fetch(request),
    });
    let closing: Promise<void> | undefined;
    resolve({
      addr: { host: normalizeHost(server.hostname), port: server.port },
      close() {
        closing ??= (async () => {
          // Bun cannot stop accepting while keeping requests in flight (stop(false) also keeps
          // idle keep-alive connections serving), so wait for the requests, then drop everything.
          for (
            let waited = 0;
            server.pendingRequests > 0 && waited < CLOSE_GRACE_MS;
            waited += 10
          ) {
            await new Promise((r) => setTimeout(r, 10));
          }
          await server.stop(true);
        })();
        return closing;
      },
    });
  });
