/** Outbound TCP with `node:net`, bounded by the caller's signal and timeout. */
import { connect } from "node:net";
import type { Conn, Dial } from "../../src/platform/conn.ts";
import { withDeadline } from "../shared/abort.ts";
import { formatHostPort, normalizeHost } from "../shared/host.ts";
import { wrapSocket } from "./conn.ts";

/** Connects to `target`; rejects with the socket error, the signal's reason or a TimeoutError. */
export const dial: Dial = (target, options = {}) => {
  const host = normalizeHost(target.host);
  return withDeadline(
    `dial ${formatHostPort(host, target.port)}`,
    options,
    (signal) =>
      new Promise<Conn>((resolve, reject) => {
        const socket = connect({ host, port: target.port });
        const onAbort = () => {
          socket.destroy();
          reject(signal.reason);
        };
        signal.addEventListener("abort", onAbort, { once: true });
        socket.once("error", (error) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        });
        socket.once("connect", () => {
          signal.removeEventListener("abort", onAbort);
          socket.removeAllListeners("error");
          resolve(wrapSocket(socket));
        });
      }),
  );
};
