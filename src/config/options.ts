/**
 * The one zod schema of every option: its flag, default and description.
 * Flags, environment variables (`BTC_EDGE_*`), the config file and
 * `createNode` options all go through it; `--help` is generated from it.
 * Keys are camelCase; the flag is the key in kebab-case (`apiToken` →
 * `--api-token`), the environment variable is `BTC_EDGE_` + the flag in
 * upper snake case (`BTC_EDGE_API_TOKEN`).
 */
import { z } from "zod";
import { LOG_LEVELS, type LogLevel } from "../log/logger.ts";
import { isBindHostPort, isHostPort } from "./host_port.ts";
import { isHostEntry } from "./allowed_host.ts";

/** Least `--keepblocks`: what a NODE_NETWORK_LIMITED node must keep (BIP159). */
export const MIN_KEEP_BLOCKS = 288;
/** Most `--keepblocks`: about two years of blocks (up to 400 GB on disk). */
export const MAX_KEEP_BLOCKS = 100_000;

/** The networks a node can join. */
export const NETWORK_NAMES = ["main", "testnet3", "testnet4", "signet", "regtest"] as const;

const fromText = (parse: (text: string) => unknown) => (v: unknown) =>
  typeof v === "string" ? parse(v.trim()) : v;

const integer = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess(
    fromText((t) => (/^-?\d+$/.test(t) ? Number(t) : t)),
    z.number({ error: "expected an integer" }).int("expected an integer").min(
      min,
      `expected at least ${min}`,
    )
      .max(max, `expected at most ${max}`),
  );

const seconds = (min: number) =>
  z.preprocess(
    fromText((t) => (/^\d+(\.\d+)?$/.test(t) ? Number(t) : t)),
    z.number({ error: "expected a number of seconds" }).min(
      min,
      `expected at least ${min} seconds`,
    ),
  );

const boolean = z.preprocess(
  fromText((
    t,
  ) => (t === "true" || t === "1" || t === "" ? true : t === "false" || t === "0" ? false : t)),
  z.boolean({ error: "expected true or false" }),
);

const hostPort = z.string().refine(isHostPort, "expected HOST:PORT (IPv6 in brackets: [::1]:8333)");
const bindOrNone = z.string().refine(
  (v) => v === "none" || isBindHostPort(v),
  "expected HOST:PORT (port 0 picks a free port) or none",
);
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => (v === undefined ? v : Array.isArray(v) ? v : [v]), z.array(item));
/** A list whose flag and entries may also be comma-separated (`--api-allowed-hosts=a,b`). */
const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      v === undefined
        ? v
        : (Array.isArray(v) ? v : [v]).flatMap((e) =>
          typeof e === "string" ? e.split(",").map((s) => s.trim()).filter(Boolean) : [e]
        ),
    z.array(item),
  );
const allowedHost = z.string().refine(
  isHostEntry,
  "expected a host name or IP (IPv6 in brackets), optionally :PORT, or *",
);
const corsOrigin = z.string().refine(
  (v) => v === "*" || isOrigin(v),
  "expected an origin such as https://example.org (scheme, host, optional port) or *",
);

/** True when `text` is exactly a web origin: `scheme://host[:port]`. */
function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return url.origin !== "null" && url.origin === text.replace(/\/$/, "");
  } catch {
    return false;
  }
}

/** Every option. `.describe()` texts feed `--help`. */
export const optionsSchema = z.object({
  network: z.enum(NETWORK_NAMES, { error: `expected one of ${NETWORK_NAMES.join("|")}` }).default(
    "main",
  )
    .describe("Bitcoin network: main|testnet3|testnet4|signet|regtest"),
  datadir: z.string().min(1, "expected a directory").optional()
    .describe(
      "Data directory (peers.json, bans, anchors, headers, api.cookie, blocks/); default ~/.btc-edge/<network>",
    ),
  listen: list(bindOrNone).default([])
    .describe(
      "Accept inbound peers on HOST:PORT (repeatable); default all interfaces on the network's port; none disables inbound",
    ),
  connect: list(hostPort).default([])
    .describe("Connect only to these peers (repeatable); they are retried forever"),
  addnode: list(hostPort).default([])
    .describe("Also keep a connection to these peers (repeatable)"),
  seednode: list(hostPort).default([])
    .describe("Connect to these peers once to learn addresses, then disconnect (repeatable)"),
  dnsseed: boolean.default(true).describe(
    "Query the network's DNS seeds when the address manager needs addresses",
  ),
  minimumchainwork: z.string().regex(
    /^(0x)?[0-9a-fA-F]{1,64}$/,
    "expected a hexadecimal number of at most 64 digits (256 bits)",
  ).optional().describe(
    "Chain work (hex) a header chain must reach to be stored; default the network's " +
      "(Core's -minimumchainwork)",
  ),
  maxpeers: integer(0, 10_000).default(125).describe("Maximum inbound connections"),
  maxpeersperip: integer(1, 1000).default(3).describe(
    "Maximum inbound connections from one IP address",
  ),
  targetoutbound: integer(0, 64).default(8).describe(
    "Outbound peers to keep connected (0: no automatic outbound connection, no feelers)",
  ),
  proxy: hostPort.optional().describe("SOCKS5 proxy HOST:PORT for all outbound connections"),
  onion: hostPort.optional().describe("SOCKS5 proxy HOST:PORT for Tor (.onion) connections"),
  v2transport: boolean.default(true).describe(
    "BIP324 v2 encrypted transport: advertise NODE_P2P_V2, accept v2 inbound, try v2 outbound first",
  ),
  api: bindOrNone.optional()
    .describe(
      "Serve the status API on HOST:PORT; default 127.0.0.1 on the network's port + 1; none disables it",
    ),
  apiToken: z.string().min(16, "expected at least 16 characters").optional()
    .describe("Bearer token for control routes; default: generated into <datadir>/api.cookie"),
  apiAllowedHosts: commaList(allowedHost).default([])
    .describe(
      "Also answer API requests whose Host is one of these (repeatable or comma-separated; * any); " +
        "localhost, 127.0.0.1, [::1] and the --api host are always allowed",
    ),
  apiCorsOrigins: commaList(corsOrigin).default([])
    .describe(
      "Let web pages from these origins read the API (CORS; repeatable or comma-separated; * any); " +
        "default none",
    ),
  logLevel: z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]], {
    error: "expected debug|info|warn|error",
  })
    .default("info")
    .describe("Lowest log level shown: debug|info|warn|error"),
  logFormat: z.enum(["text", "json"], { error: "expected text|json" }).default("text")
    .describe("Log format: text for people, json (one object per line) for machines"),
  config: z.string().optional().describe(
    "Read options from this JSON file (flags and environment win)",
  ),
  banscore: integer(1, 1_000_000).default(100).describe(
    "Misbehaviour score at which a peer is banned",
  ),
  bantime: seconds(1).default(86_400).describe("Seconds a ban lasts"),
  timeout: seconds(0.001).default(10).describe(
    "Seconds to wait for an outbound connection to open",
  ),
  handshaketimeout: seconds(0.001).default(30).describe(
    "Seconds a peer has to complete the version handshake",
  ),
  pinginterval: seconds(0.001).default(120).describe("Seconds between pings"),
  pingtimeout: seconds(0.001).default(1200).describe(
    "Seconds without a pong before a peer is dropped",
  ),
  inactivitytimeout: seconds(0.001).default(300)
    .describe("Seconds without any message (after the handshake) before a peer is dropped"),
  keepblocks: integer(MIN_KEEP_BLOCKS, MAX_KEEP_BLOCKS).default(MIN_KEEP_BLOCKS).describe(
    "Blocks of the best chain kept on disk in <datadir>/blocks (288 mainnet blocks: 0.4–1.2 GB)",
  ),
}).strict();

/** A network a node can join. */
export type NetworkName = (typeof NETWORK_NAMES)[number];

/**
 * Options after validation and defaults (what `optionsSchema` outputs,
 * written out so the public API has explicit types; tests/config checks that
 * the two agree). Durations are in seconds; see `--help` for each.
 */
export interface Options {
  /** Bitcoin network: main|testnet3|testnet4|signet|regtest. */
  network: NetworkName;
  /**
   * Data directory (peers.json, bans, anchors, headers, api.cookie, blocks/); default
   * ~/.btc-edge/<network>.
   */
  datadir?: string;
  /**
   * Accept inbound peers on HOST:PORT (repeatable); default all interfaces on the network's port;
   * none disables inbound.
   */
  listen: string[];
  /** Connect only to these peers (repeatable); they are retried forever. */
  connect: string[];
  /** Also keep a connection to these peers (repeatable). */
  addnode: string[];
  /** Connect to these peers once to learn addresses, then disconnect (repeatable). */
  seednode: string[];
  /** Query the network's DNS seeds when the address manager needs addresses. */
  dnsseed: boolean;
  /**
   * Chain work (hex) a header chain must reach to be stored; default the network's (Core's
   * -minimumchainwork).
   */
  minimumchainwork?: string;
  /** Maximum inbound connections. */
  maxpeers: number;
  /** Maximum inbound connections from one IP address. */
  maxpeersperip: number;
  /** Outbound peers to keep connected (0: no automatic outbound connection, no feelers). */
  targetoutbound: number;
  /** SOCKS5 proxy HOST:PORT for all outbound connections. */
  proxy?: string;
  /** SOCKS5 proxy HOST:PORT for Tor (.onion) connections. */
  onion?: string;
  /** BIP324 v2 encrypted transport: advertise NODE_P2P_V2, accept v2 inbound, try v2 outbound first. */
  v2transport: boolean;
  /**
   * Serve the status API on HOST:PORT; default 127.0.0.1 on the network's port + 1; none disables
   * it.
   */
  api?: string;
  /** Bearer token for control routes; default: generated into <datadir>/api.cookie. */
  apiToken?: string;
  /**
   * Also answer API requests whose Host is one of these (repeatable or comma-separated; * any);
   * localhost, 127.0.0.1, [::1] and the --api host are always allowed.
   */
  apiAllowedHosts: string[];
  /**
   * Let web pages from these origins read the API (CORS; repeatable or comma-separated; * any);
   * default none.
   */
  apiCorsOrigins: string[];
  /** Lowest log level shown: debug|info|warn|error. */
  logLevel: LogLevel;
  /** Log format: text for people, json (one object per line) for machines. */
  logFormat: "text" | "json";
  /** Read options from this JSON file (flags and environment win). */
  config?: string;
  /** Misbehaviour score at which a peer is banned. */
  banscore: number;
  /** Seconds a ban lasts. */
  bantime: number;
  /** Seconds to wait for an outbound connection to open. */
  timeout: number;
  /** Seconds a peer has to complete the version handshake. */
  handshaketimeout: number;
  /** Seconds between pings. */
  pinginterval: number;
  /** Seconds without a pong before a peer is dropped. */
  pingtimeout: number;
  /** Seconds without any message (after the handshake) before a peer is dropped. */
  inactivitytimeout: number;
  /** Blocks of the best chain kept on disk in <datadir>/blocks (288 mainnet blocks: 0.4–1.2 GB). */
  keepblocks: number;
}

/** A list option as given: one entry or several. */
type ListInput = string | readonly string[];

/**
 * Options as `createNode` takes them: every field optional; numbers and
 * booleans may also be given as the strings flags carry, lists as one entry.
 */
export interface OptionsInput {
  /** Bitcoin network: main|testnet3|testnet4|signet|regtest. */
  network?: NetworkName;
  /**
   * Data directory (peers.json, bans, anchors, headers, api.cookie, blocks/); default
   * ~/.btc-edge/<network>.
   */
  datadir?: string;
  /**
   * Accept inbound peers on HOST:PORT (repeatable); default all interfaces on the network's port;
   * none disables inbound.
   */
  listen?: ListInput;
  /** Connect only to these peers (repeatable); they are retried forever. */
  connect?: ListInput;
  /** Also keep a connection to these peers (repeatable). */
  addnode?: ListInput;
  /** Connect to these peers once to learn addresses, then disconnect (repeatable). */
  seednode?: ListInput;
  /** Query the network's DNS seeds when the address manager needs addresses. */
  dnsseed?: boolean | string;
  /**
   * Chain work (hex) a header chain must reach to be stored; default the network's (Core's
   * -minimumchainwork).
   */
  minimumchainwork?: string;
  /** Maximum inbound connections. */
  maxpeers?: number | string;
  /** Maximum inbound connections from one IP address. */
  maxpeersperip?: number | string;
  /** Outbound peers to keep connected (0: no automatic outbound connection, no feelers). */
  targetoutbound?: number | string;
  /** SOCKS5 proxy HOST:PORT for all outbound connections. */
  proxy?: string;
  /** SOCKS5 proxy HOST:PORT for Tor (.onion) connections. */
  onion?: string;
  /** BIP324 v2 encrypted transport: advertise NODE_P2P_V2, accept v2 inbound, try v2 outbound first. */
  v2transport?: boolean | string;
  /**
   * Serve the status API on HOST:PORT; default 127.0.0.1 on the network's port + 1; none disables
   * it.
   */
  api?: string;
  /** Bearer token for control routes; default: generated into <datadir>/api.cookie. */
  apiToken?: string;
  /**
   * Also answer API requests whose Host is one of these (repeatable or comma-separated; * any);
   * localhost, 127.0.0.1, [::1] and the --api host are always allowed.
   */
  apiAllowedHosts?: ListInput;
  /**
   * Let web pages from these origins read the API (CORS; repeatable or comma-separated; * any);
   * default none.
   */
  apiCorsOrigins?: ListInput;
  /** Lowest log level shown: debug|info|warn|error. */
  logLevel?: LogLevel;
  /** Log format: text for people, json (one object per line) for machines. */
  logFormat?: "text" | "json";
  /** Read options from this JSON file (flags and environment win). */
  config?: string;
  /** Misbehaviour score at which a peer is banned. */
  banscore?: number | string;
  /** Seconds a ban lasts. */
  bantime?: number | string;
  /** Seconds to wait for an outbound connection to open. */
  timeout?: number | string;
  /** Seconds a peer has to complete the version handshake. */
  handshaketimeout?: number | string;
  /** Seconds between pings. */
  pinginterval?: number | string;
  /** Seconds without a pong before a peer is dropped. */
  pingtimeout?: number | string;
  /** Seconds without any message (after the handshake) before a peer is dropped. */
  inactivitytimeout?: number | string;
  /** Blocks of the best chain kept on disk in <datadir>/blocks (288 mainnet blocks: 0.4–1.2 GB). */
  keepblocks?: number | string;
}
/** The option names. */
export type OptionName = keyof Options;

/** Options that may be given more than once. */
export const REPEATABLE: ReadonlySet<string> = new Set([
  "listen",
  "connect",
  "addnode",
  "seednode",
  "apiAllowedHosts",
  "apiCorsOrigins",
]);

/** `apiToken` → `api-token`. */
export function flagOf(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `apiToken` → `BTC_EDGE_API_TOKEN`. */
export function envOf(key: string): string {
  return `BTC_EDGE_${flagOf(key).replace(/-/g, "_").toUpperCase()}`;
}

/** `api-token` → `apiToken`. */
export function keyOfFlag(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
