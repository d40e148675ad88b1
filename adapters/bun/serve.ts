/** HTTP with `Bun.serve`. */
import type { Serve } from "../../src/platform/serve.ts";
import { normalizeHost } from "../shared/host.ts";
import { Bun } from "./bun_api.ts";

/** Serves `fetch` on `host:port`; `close()` stops and drops open connections. */
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
        closing ??= server.stop(true);
        return closing;
      },
    });
  });
