/** HTTP with `Deno.serve`. */
import type { Serve } from "../../src/platform/serve.ts";
import { normalizeHost } from "../shared/host.ts";

/** Serves `fetch` on `host:port`; `close()` shuts down gracefully and waits for it. */
export const serve: Serve = (options) =>
  new Promise((resolve) => {
    const server = Deno.serve(
      {
        hostname: normalizeHost(options.host),
        port: options.port,
        onListen: (addr) => {
          let closing: Promise<void> | undefined;
          resolve({
            addr: { host: normalizeHost(addr.hostname), port: addr.port },
            close() {
              closing ??= server.shutdown();
              return closing;
            },
          });
        },
      },
      (request) => options.fetch(request),
    );
  });
