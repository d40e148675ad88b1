/** The ports: the only way `src/` reaches a runtime. Types and pure helpers only. */
export type { Clock } from "./clock.ts";
export type { Conn, Dial, DialOptions, HostPort, Listen, Listener, ListenOptions } from "./conn.ts";
export type { Sha256 } from "./hash.ts";
export type { Resolve, ResolveOptions } from "./resolver.ts";
export type { HttpServer, Serve, ServeOptions } from "./serve.ts";
export type { KvStore } from "./storage.ts";
export { getJson, setJson } from "./storage.ts";
export type { Random } from "./random.ts";
export { cryptoRandom, seededRandom } from "./random.ts";
export type { MemoryUsage, Platform } from "./platform.ts";
