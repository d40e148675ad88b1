/** Outbound TCP with `Bun.connect`, bounded by the caller's signal and timeout. */
import type { Conn, Dial } from "../../src/platform/conn.ts";
import { withDeadline } from "../shared/abort.ts";
import { formatHostPort, normalizeHost } from "../shared/host.ts";
import { Bun } from "./bun_api.ts";
import { socketHandlers } from "./conn.ts";

const handlers = socketHandlers();

/** Connects to `target`; rejects with Bun's error, the signal's reason or a TimeoutError. */
export const dial: Dial = (target, options = {}) => {
  const hostname = normalizeHost(target.host);
  return withDeadline(
    `dial ${formatHostPort(hostname, target.port)}`,
    options,
    async (): Promise<Conn> => {
      const socket = await Bun.connect({ hostname, port: target.port, socket: handlers });
      if (socket.data === undefined) throw new Error("Bun.connect resolved before open");
      return socket.data.conn;
    },
    // A connection that completes after the deadline is closed unused.
    (late) => late.close(),
  );
};
