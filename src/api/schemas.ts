/**
 * The zod schemas of the status API: every path parameter, query and body
 * the routes accept, and every JSON body they answer with. The routes
 * validate input with them and `GET /openapi.json` is generated from them,
 * so the documentation cannot drift from what is enforced. Addresses in
 * input are parsed with the wire address rules and come out canonical.
 */
import { errorText } from "../util/error_text.ts";
import { z } from "zod";
import type { ConnKind } from "../connmgr/connection.ts";
import type { EvictionRule } from "../connmgr/conn_events.ts";
import type { BanEntry } from "../peer/ban_list.ts";
import type { PeerStats } from "../peer/peer_stats.ts";
import { formatAddress, parseAddress } from "../wire/address_format.ts";
import { MAX_BLOCK_SERIALIZED_SIZE } from "../wire/block.ts";
import { formatHostPort, splitHostPort } from "../wire/host_port.ts";

/** Networks the address manager keeps addresses for. */
export const ADDRESS_NETWORKS = ["ipv4", "ipv6", "onion", "i2p", "cjdns"] as const;
/** A network the address manager keeps addresses for. */
export type AddressNetwork = (typeof ADDRESS_NETWORKS)[number];
/** The address manager's two tables. */
export const ADDRESS_TABLES = ["new", "tried"] as const;
/** An address-manager table. */
export type AddressTable = (typeof ADDRESS_TABLES)[number];
/**
 * Why a connection exists, with Core's getpeerinfo `connection_type` names
 * (the connection manager's kinds; checked against them below).
 */
export const CONNECTION_TYPES = [
  "outbound-full-relay",
  "block-relay-only",
  "manual",
  "feeler",
  "addr-fetch",
  "inbound",
] as const;
/** A connection type (Core's getpeerinfo names). */
export type ConnectionType = (typeof CONNECTION_TYPES)[number];
/** The rules that evict a peer (`peer.evicted` events; checked against the connection manager's). */
export const EVICTION_RULES = [
  "chain-sync",
  "extra-full-relay",
  "extra-block-relay",
  "inbound",
] as const;
/** Most addresses in one `GET /addresses` page: keeps a response well under a megabyte. */
export const MAX_ADDRESS_PAGE = 1_000;
/** Page size when `limit` is not given. */
export const DEFAULT_ADDRESS_PAGE = 100;
/** Longest cursor accepted: cursors are short opaque tokens the node hands out. */
export const MAX_CURSOR_LENGTH = 256;
/** Longest address text accepted (an I2P name is 60 characters; IPv6 with a zone ~50). */
export const MAX_ADDRESS_TEXT = 100;
/** Longest ban reason accepted: it is stored in bans.json and shown on the dashboard. */
export const MAX_BAN_REASON = 200;
/** Longest block hex accepted by `POST /blocks`: two digits per byte of the largest block. */
export const MAX_BLOCK_HEX = 2 * MAX_BLOCK_SERIALIZED_SIZE;
/** Longest ban accepted: 100 years, far past any useful ban, well inside a safe integer of ms. */
export const MAX_BAN_SECONDS = 100 * 365 * 24 * 60 * 60;

// ---------------------------------------------------------------- shared pieces

const count = z.number().int().min(0);
const timeMs = z.number().describe("Milliseconds since the Unix epoch");
const blockHash = z.string().regex(/^[0-9a-f]{64}$/, "expected 64 lowercase hex digits")
  .describe("Block hash, display-order hex");
const network = z.enum(ADDRESS_NETWORKS);
const table = z.enum(ADDRESS_TABLES);
const connectionType = z.enum(CONNECTION_TYPES)
  .describe("Why the connection exists (Core's getpeerinfo connection_type)");

/**
 * An address without a port (IPv4, IPv6, Tor v3 `.onion`, I2P `.b32.i2p`),
 * turned into its canonical text. Internal names are refused: they stand
 * for DNS seeds, never a host.
 */
const addressText = z.string().min(1, "expected an address").max(MAX_ADDRESS_TEXT)
  .transform((text, ctx) => {
    try {
      const address = parseAddress(text);
      if (address.network === "internal") {
        throw new Error(`${text} is an internal name, not a host`);
      }
      return formatAddress(address);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: errorText(error) });
      return z.NEVER;
    }
  })
  .describe("Address without port: 203.0.113.7, 2001:db8::1, <name>.onion, <name>.b32.i2p");

/** A numeric `host:port` (IPv6 in brackets), turned into its canonical text. */
const hostPortText = z.string().min(1, "expected host:port").max(MAX_ADDRESS_TEXT + 8)
  .transform((text, ctx) => {
    const split = splitHostPort(text);
    if (!split.validPort || split.port === 0) {
      ctx.addIssue({
        code: "custom",
        message: `${JSON.stringify(text)} has no valid port: expected host:port with a port of ` +
          `1-65535 (IPv6 in brackets: [2001:db8::1]:8333)`,
      });
      return z.NEVER;
    }
    try {
      const address = parseAddress(split.host);
      if (address.network === "internal") {
        throw new Error(`${text} is an internal name, not a host`);
      }
      return formatHostPort(address, split.port);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: errorText(error) });
      return z.NEVER;
    }
  })
  .describe("Numeric host:port: 203.0.113.7:8333, [2001:db8::1]:8333, <name>.onion:8333");

// ---------------------------------------------------------------- input

/** `/peers/:id`: a positive integer, at most 15 digits (a safe integer). */
export const peerIdParams = z.strictObject({
  id: z.string().regex(/^[1-9][0-9]{0,14}$/, "expected a peer id: a positive integer")
    .transform(Number)
    .describe("Peer id (from GET /peers)"),
});

/** `/bans/:address`. */
export const banAddressParams = z.strictObject({ address: addressText });

/** `GET /addresses` query. */
export const addressQuery = z.strictObject({
  table: table.optional().describe("Only this table"),
  network: network.optional().describe("Only this network"),
  limit: z.coerce.number({ error: "expected an integer" }).int("expected an integer")
    .min(0, "expected at least 0").max(MAX_ADDRESS_PAGE, `expected at most ${MAX_ADDRESS_PAGE}`)
    .default(DEFAULT_ADDRESS_PAGE)
    .describe("Most items in the page (0: counts only)"),
  cursor: z.string().min(1).max(MAX_CURSOR_LENGTH)
    .regex(/^[A-Za-z0-9_.~-]+$/, "expected a cursor from a previous page's nextCursor")
    .optional()
    .describe("nextCursor of the previous page"),
});

/** `POST /peers` body. */
export const connectBody = z.strictObject({
  address: hostPortText,
  persistent: z.boolean({ error: "expected true or false" }).default(false)
    .describe("Keep the peer connected (reconnect with backoff) until the node stops"),
});

/** `POST /bans` body. */
export const banBody = z.strictObject({
  address: addressText,
  durationSeconds: z.number({ error: "expected a number of seconds" })
    .int("expected a whole number of seconds").min(1, "expected at least 1 second")
    .max(MAX_BAN_SECONDS, `expected at most ${MAX_BAN_SECONDS} seconds`).optional()
    .describe("Ban length; the node's --bantime when omitted"),
  reason: z.string().max(MAX_BAN_REASON, `expected at most ${MAX_BAN_REASON} characters`)
    .regex(/^\P{Cc}*$/u, "expected text without control characters").optional()
    .describe("Why (stored with the ban)"),
});

/** `POST /blocks` body: a serialized block as hex (as Core's `submitblock` takes it). */
export const submitBlockBody = z.strictObject({
  hex: z.string({ error: "expected the block as a hex string" })
    .min(1, "expected the block as a hex string")
    .max(MAX_BLOCK_HEX, `expected at most ${MAX_BLOCK_HEX} hex digits (the largest block)`)
    .regex(/^[0-9a-fA-F]*$/, "expected hex digits only")
    .refine((hex) => hex.length % 2 === 0, "expected an even number of hex digits")
    .describe("The serialized block (header and transactions, witness data included), hex"),
});

// ---------------------------------------------------------------- output

/** Every error body: a message, and for invalid input each invalid field. */
export const errorResponse = z.object({
  error: z.string(),
  issues: z.array(z.object({
    field: z.string().describe("The invalid field (dotted path; `body` for the body itself)"),
    message: z.string(),
  })).optional(),
});

/** A success without data. */
export const okResponse = z.object({ ok: z.literal(true) });

/** `GET /status`: the node at a glance (`NodeStatus`). */
export const statusResponse = z.object({
  network: z.string(),
  version: z.string(),
  runtime: z.string(),
  state: z.enum(["new", "starting", "running", "stopping", "stopped"]),
  uptimeSeconds: z.number().min(0),
  listening: z.array(z.string()).describe("Addresses inbound peers are accepted on (host:port)"),
  api: z.string().nullable()
    .describe("Where the status API listens (host:port), or null when it is not served"),
  peers: z.object({
    inbound: count,
    outbound: count,
    persistent: count.describe(
      "User-requested peers (--connect, --addnode, POST /peers with persistent)",
    ),
    feeler: count.describe("Short-lived outbound connections that test an address"),
    byConnectionType: z.record(z.enum(CONNECTION_TYPES), count)
      .describe("Connections per connection type (Core's getpeerinfo names)"),
    list: z.array(z.object({
      id: z.number().int().positive(),
      peer: z.string(),
      connectionType,
      state: z.string(),
      userAgent: z.string().nullable(),
      version: z.number().int().nullable(),
      startHeight: z.number().int().nullable(),
    })),
  }),
  chain: z.object({ height: z.number().int().min(0), bestHash: blockHash }),
  sync: z.object({
    height: z.number().int().min(0).describe("Our best header height"),
    bestPeerHeight: z.number().int().min(-1)
      .describe("Highest height a connected peer announced (-1 with no peer)"),
    headersPerSecond: z.number().min(0)
      .describe("Headers accepted per second, averaged over the last few seconds"),
    caughtUp: z.boolean()
      .describe("True when no peer claims more than we have (and at least one peer is known)"),
    presync: z.object({
      peer: z.string(),
      phase: z.enum(["presync", "redownload"]),
      height: count.describe("Height its chain reached in presync"),
      time: z.number().int().describe("Timestamp of its last presync header, Unix seconds"),
      redownloadHeight: count.describe("Height reached in redownload (the start's before)"),
      memoryBytes: count.describe("Bytes held for this peer's presync"),
    }).nullable().describe(
      "The leading header presync (a peer's chain below the work threshold, downloaded " +
        "twice before anything is stored: Core's 'Pre-synchronizing blockheaders'), or null",
    ),
  }),
  addrman: z.object({ new: count, tried: count, total: count }),
  bans: count.describe("Bans in force"),
  memory: z.object({ rss: count.optional(), heapUsed: count.optional() })
    .describe("Memory figures in bytes, where the runtime gives them"),
});

const traffic = z.object({
  messages: count,
  bytes: count,
  perCommand: z.record(z.string(), z.object({ messages: count, bytes: count })),
});

/** One peer; mirrors `PeerStats` (src/peer/peer_stats.ts) and its connection type. */
export const peerResponse = z.object({
  id: z.number().int().positive(),
  address: z.string().describe("host:port (IPv6 in brackets)"),
  direction: z.enum(["inbound", "outbound"]),
  connectionType,
  persistent: z.boolean(),
  handshake: z.enum(["awaiting-version", "version-sent", "awaiting-verack", "ready", "closed"]),
  transport: z.enum(["v1", "v2", "detecting"])
    .describe("Transport protocol (Core's transport_protocol_type): detecting until v2 is proven"),
  sessionId: z.string().regex(/^([0-9a-f]{64})?$/)
    .describe("BIP324 session id, 64 hex digits; empty unless v2 (Core's session_id)"),
  services: z.string().regex(/^[0-9a-f]{16}$/).describe("Service bits, 16 hex digits"),
  serviceNames: z.array(z.string()).readonly(),
  version: z.number().int(),
  negotiatedVersion: z.number().int(),
  userAgent: z.string(),
  startHeight: z.number().int(),
  relay: z.boolean(),
  features: z.object({
    sendHeaders: z.boolean(),
    addrV2: z.boolean(),
    wtxidRelay: z.boolean(),
    feeFilter: z.number().nullable(),
  }),
  lastBlockAnnounced: z.object({ hash: blockHash, time: timeMs }).nullable(),
  pingMs: z.number().nullable(),
  minPingMs: z.number().nullable(),
  pingWaitMs: z.number().nullable(),
  timeOffsetSeconds: z.number().nullable(),
  connectedAt: timeMs,
  lastSend: timeMs.nullable(),
  lastReceive: timeMs.nullable(),
  banScore: z.number(),
  knownInventory: count,
  sendQueueBytes: count,
  ignoredMessages: count,
  sent: traffic,
  received: traffic,
});

/** `GET /peers`. */
export const peersResponse = z.array(peerResponse);

const tableCounts = z.object({ new: count, tried: count });

/** One known address. */
export const addressItem = z.object({
  address: z.string().describe("Canonical address text, without port"),
  port: z.number().int().min(0).max(65535),
  services: z.string().regex(/^[0-9a-f]{16}$/).describe("Service bits, 16 hex digits"),
  table,
  network,
  lastSuccess: timeMs.optional().describe("Last successful connection (absent: never)"),
  attempts: count.describe("Failed attempts since the last success"),
});

/** `GET /addresses`. */
export const addressesResponse = z.object({
  counts: z.object({
    ipv4: tableCounts,
    ipv6: tableCounts,
    onion: tableCounts,
    i2p: tableCounts,
    cjdns: tableCounts,
  }).describe("Addresses per network and table (the whole book, not the page)"),
  needMoreAddresses: z.boolean(),
  items: z.array(addressItem),
  nextCursor: z.string().optional().describe("Pass as cursor for the next page; absent at the end"),
});

/** One ban; mirrors `BanEntry` (src/peer/ban_list.ts). */
export const banResponse = z.object({
  address: z.string().describe("Canonical address text, without port"),
  bannedAt: timeMs,
  until: timeMs,
  reason: z.string(),
});

/** `GET /bans`. */
export const bansResponse = z.array(banResponse);

/** `GET /chain`. */
export const chainResponse = z.object({
  tip: z.object({ hash: blockHash, height: z.number().int().min(0) }),
  headersStored: count.describe("Headers held, every branch, genesis included"),
  tips: z.array(z.object({
    hash: blockHash,
    height: z.number().int().min(0),
    branchLength: count.describe("Headers between it and the best chain (0 for the active tip)"),
    status: z.enum(["active", "valid-fork", "valid-headers", "headers-only", "invalid"]).describe(
      "As Core's getchaintips: active (best chain tip), valid-headers (every block of the " +
        "branch received and accepted), headers-only (some block not held), invalid (some " +
        "block found invalid); valid-fork (scripts validated) never appears here",
    ),
  })).describe("Branch tips, the active one first, then by height (at most a few dozen)"),
  recent: z.array(z.object({
    hash: blockHash,
    height: z.number().int().min(0),
    time: z.number().int().describe("Header timestamp, Unix seconds"),
  })).describe("The last headers, newest first"),
  blocks: z.object({
    count: count.describe("Blocks held (the best chain's last --keepblocks, and stale ones)"),
    lowestHeight: z.number().int().min(0).nullable().describe(
      "Lowest height held; null when empty",
    ),
    highestHeight: z.number().int().min(0).nullable().describe(
      "Highest height held; null when empty",
    ),
    bytes: count.describe("Bytes they take"),
  }).describe("The block store on disk (<datadir>/blocks)"),
});

/** `GET /inventory`. */
export const inventoryResponse = z.object({
  recentBlocks: z.array(z.object({
    hash: blockHash,
    receivedAt: timeMs,
    from: z.string().optional().describe("The peer it came from (string form)"),
    relayedTo: z.array(z.string()).describe("Peers it was announced to (string form)"),
  })).describe("Blocks accepted lately, newest first"),
  knownInventory: z.array(z.object({
    peer: z.string(),
    size: count,
    limit: count,
  })).describe("Each peer's known-inventory cache"),
});

/** `GET /health`. */
export const healthResponse = okResponse;

/** `GET /ready` (200 when ready, 503 with the reasons otherwise). */
export const readyResponse = z.object({
  ready: z.boolean(),
  reasons: z.array(z.string()).describe("Why the node is not ready (empty when ready)"),
});

/** `POST /peers`. */
export const connectResponse = z.object({
  id: z.number().int().positive().optional().describe("The peer id, once there is one"),
  status: z.enum(["connecting", "connected"]),
});

/** `POST /bans`. */
export const banCreatedResponse = banResponse;

/** `POST /blocks`. */
export const submitBlockResponse = z.object({
  hash: blockHash,
  height: z.number().int().min(0).nullable()
    .describe("Its height; null for an orphan (its parent is unknown)"),
  status: z.enum(["accepted", "orphan", "duplicate"])
    .describe(
      "accepted: valid and stored (relayed when it is the new tip); orphan: held until its " +
        "parent arrives; duplicate: accepted before",
    ),
});

// ---------------------------------------------------------------- events

const eventOf = <T extends string, D extends z.ZodType>(type: T, data: D) =>
  z.object({ type: z.literal(type), time: timeMs, data });

/** One event of `GET /events` (the SSE `event:` is `type`, `data:` is this object as JSON). */
export const nodeEvent = z.discriminatedUnion("type", [
  eventOf(
    "peer.connected",
    z.object({
      id: z.number().int().positive(),
      peer: z.string().describe("String form: address and direction"),
      direction: z.enum(["inbound", "outbound"]),
      connectionType,
      userAgent: z.string(),
      persistent: z.boolean(),
    }),
  ),
  eventOf(
    "peer.disconnected",
    z.object({ id: z.number().int().positive(), peer: z.string(), reason: z.string() }),
  ),
  eventOf(
    "peer.evicted",
    z.object({
      id: z.number().int().positive(),
      peer: z.string(),
      connectionType,
      rule: z.enum(EVICTION_RULES).describe(
        "chain-sync: an outbound peer whose chain stayed behind ours; extra-full-relay / " +
          "extra-block-relay: an extra outbound peer beyond the targets; inbound: room for a " +
          "new inbound peer",
      ),
      reason: z.string(),
    }),
  ),
  eventOf(
    "tip.stale",
    z.object({
      lastTipChange: timeMs.describe("When our tip last changed"),
      staleSeconds: count.describe("Seconds since (an extra outbound peer is tried)"),
    }),
  ),
  eventOf(
    "block.accepted",
    z.object({ hash: blockHash, height: z.number().int().min(0), from: z.string().optional() }),
  ),
  eventOf("block.relayed", z.object({ hash: blockHash, to: z.array(z.string()) })),
  eventOf("ban", z.object({ address: z.string(), until: timeMs, reason: z.string() })),
  eventOf("addrman.saved", z.object({ addresses: count })),
]);

/** The event type names. */
export const NODE_EVENT_TYPES = nodeEvent.options.map((o) => o.shape.type.value);

// ---------------------------------------------------------------- agreement

// Compile-time checks: `deno check` fails here when a response schema and the
// type it mirrors (owned by another part) differ in any field.
/** True when `A` and `B` are the same type (each assignable to the other). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };
/** Compiles only when `T` is `true`. */
export type Holds<T extends true> = T;
type _PeerSchemaAgrees = Holds<
  Same<Mutable<z.output<typeof peerResponse>>, Mutable<PeerStats & { connectionType: ConnKind }>>
>;
type _ConnectionTypesAgree = Holds<Same<ConnectionType, ConnKind>>;
type _EvictionRulesAgree = Holds<Same<(typeof EVICTION_RULES)[number], EvictionRule>>;
type _BanSchemaAgrees = Holds<Same<z.output<typeof banResponse>, BanEntry>>;
