/** The HTTP port: serves a fetch handler (the hono app) on a host and port. */

/** What `serve` needs. */
export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly fetch: (request: Request) => Response | Promise<Response>;
}

/** A running HTTP server. */
export interface HttpServer {
  /** The bound address (port resolved when 0 was asked for). */
  readonly addr: { readonly host: string; readonly port: number };
  /**
   * Stops accepting; requests in flight may finish (up to a short grace on
   * Node and Bun, after which their connections are dropped; Deno waits for
   * them, so callers bound the wait). Idempotent.
   */
  close(): Promise<void>;
}

/** Starts an HTTP server. */
export type Serve = (options: ServeOptions) => Promise<HttpServer>;
