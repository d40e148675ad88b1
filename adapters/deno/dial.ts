/** Outbound TCP with `Deno.connect`, bounded by the caller's signal and timeout. */
import type { Dial } from "../../src/platform/conn.ts";
import { withDeadline } from "../shared/abort.ts";
import { formatHostPort, normalizeHost } from "../shared/host.ts";
import { wrapDenoConn } from "./conn.ts";

/** Connects to `target`; rejects with Deno's error, the signal's reason or a TimeoutError. */
export const dial: Dial = (target, options = {}) => {
  const hostname = normalizeHost(target.host);
  return withDeadline(
    `dial ${formatHostPort(hostname, target.port)}`,
    options,
    async (signal) => {
      const conn = await Deno.connect({ hostname, port: target.port, transport: "tcp", signal });
      return wrapDenoConn(conn);
    },
    // A connection that completes after the deadline is closed unused.
    (late) => late.close(),
  );
};
