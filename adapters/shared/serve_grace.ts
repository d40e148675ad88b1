/**
 * How long an HTTP server's `close()` lets requests in flight (an open
 * /events stream finishing its last event) end on their own before it drops
 * their connections. Deno's `shutdown()` has no forced form; the node bounds
 * its wait instead.
 */
export const CLOSE_GRACE_MS = 1_000;
