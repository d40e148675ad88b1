/**
 * btc-edge: a Bitcoin peer-to-peer edge node for Deno, Bun and Node.js.
 *
 * @example Embed a node
 * ```ts
 * import { createNode } from "./mod.ts";
 *
 * const node = createNode({
 *   network: "regtest",
 *   datadir: "./.regtest",
 *   listen: ["127.0.0.1:0"],
 *   api: "none",
 *   dnsseed: false,
 * });
 * await node.start();
 * console.log(node.status().listening, node.addresses().counts);
 * await node.stop();
 * ```
 *
 * @module
 */
import { homeDir, platform as runtimePlatform } from "#platform";
import type { Hono } from "hono";
import { resolveOptions } from "./src/config/load.ts";
import type { Options, OptionsInput } from "./src/config/options.ts";
import {
  createLogger,
  formatJson,
  formatText,
  type Logger,
  type LogRecord,
} from "./src/log/logger.ts";
import { EdgeNode } from "./src/node/node.ts";
import type {
  AddressPage,
  AddressQuery,
  NodeEvent,
  NodeStatus,
  PeerView,
} from "./src/api/source.ts";
import type { Platform } from "./src/platform/platform.ts";

export type {
  AddressPage,
  AddressQuery,
  NodeEvent,
  NodeStatus,
  PeerView,
} from "./src/api/source.ts";
export type { ConnectionType } from "./src/api/schemas.ts";
export { ConfigError } from "./src/config/load.ts";
export type { Options, OptionsInput } from "./src/config/options.ts";
export type { Logger, LogLevel, LogRecord } from "./src/log/logger.ts";
export type { PeerStats } from "./src/peer/peer_stats.ts";
export type { Platform } from "./src/platform/platform.ts";
export { VERSION } from "./src/version.ts";

/** A running (or startable) node. */
export interface NodeHandle {
  /** Validated options, defaults filled in. */
  readonly options: Options;
  /** The resolved data directory. */
  readonly datadir: string;
  /** The status API's hono app, for mounting in an embedder's server. */
  readonly app: Hono;
  /** Starts the node: storage, listeners, peers, API. */
  start(): Promise<void>;
  /** Stops the node; idempotent, safe to call concurrently. */
  stop(): Promise<void>;
  /**
   * A shutdown signal arrived (SIGINT, SIGTERM): the first stops the node, a
   * later one logs that shutdown is already in progress. Resolves when stopped.
   */
  signal(name: string): Promise<void>;
  /** The node at a glance. */
  status(): NodeStatus;
  /** Per-peer statistics, each with its connection type (Core's names). */
  peers(): PeerView[];
  /** Address-book counts per network and table, and one page of entries. */
  addresses(query?: AddressQuery): AddressPage;
  /**
   * The node's events from now on (peer connected/disconnected/evicted,
   * block accepted/relayed, stale tip, ban, address-manager save), until
   * `signal` aborts or the node stops.
   * @example
   * for await (const event of node.events(AbortSignal.timeout(60_000))) console.log(event.type);
   */
  events(signal: AbortSignal): AsyncIterable<NodeEvent>;
}

/** Extra wiring for embedders and tests. */
export interface CreateNodeExtras {
  /** Runtime services; default the current runtime's adapter. */
  readonly platform?: Platform;
  /** Where log records go; default: text (or JSON, per `logFormat`) on the console. */
  readonly logSink?: (record: LogRecord) => void;
}

/**
 * Creates a node from options (validated by the same schema as flags; throws
 * `ConfigError` naming each invalid option).
 */
export function createNode(input: OptionsInput = {}, extras: CreateNodeExtras = {}): NodeHandle {
  const options = resolveOptions([["option", input as Record<string, unknown>]]);
  const datadir = options.datadir ?? `${homeDir()}/.btc-edge/${options.network}`;
  const format = options.logFormat === "json" ? formatJson : formatText;
  const logger: Logger = createLogger({
    level: options.logLevel as LogRecord["level"],
    sink: extras.logSink ??
      ((r) => (r.level === "error" || r.level === "warn" ? console.error : console.log)(format(r))),
  });
  return new EdgeNode(options, { platform: extras.platform ?? runtimePlatform, logger, datadir });
}
