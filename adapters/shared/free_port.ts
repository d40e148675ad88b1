/** Test helper: a TCP port on 127.0.0.1 that was free a moment ago. */
import type { Listen } from "../../src/platform/conn.ts";

/** Listens on 127.0.0.1:0 with `listen`, reads the port, closes the listener. */
export async function freePort(listen: Listen): Promise<number> {
  const listener = await listen({ host: "127.0.0.1", port: 0, onConn: (conn) => conn.close() });
  const port = listener.addr.port;
  await listener.close();
  return port;
}
