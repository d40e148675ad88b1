/**
 * What the status API needs from a node: `ApiSource`, and the shapes it
 * serves. The API declares them and the node implements them (tests fake
 * them), so nothing here depends on the node. Shapes not owned by another
 * part (`NodeStatus` among them) are inferred from the response schemas
 * (`schemas.ts`), so the interface and the documented API are one thing.
 * Everything is JSON-friendly (no bigint, no Uint8Array).
 */
import type { z } from "zod";
import type { BanEntry } from "../peer/ban_list.ts";
import type { PeerStats } from "../peer/peer_stats.ts";
import type { MetricsSnapshot } from "./metrics.ts";
import type {
  addressesResponse,
  AddressNetwork,
  AddressTable,
  chainResponse,
  ConnectionType,
  Holds,
  inventoryResponse,
  nodeEvent,
  readyResponse,
  Same,
  statusResponse,
  submitBlockResponse,
} from "./schemas.ts";

/** A validated `GET /addresses` query. */
export interface AddressQuery {
  readonly table?: AddressTable;
  readonly network?: AddressNetwork;
  /** Most items (0–1000; 0 asks for counts only). */
  readonly limit: number;
  /** The `nextCursor` of a previous page (opaque to the API). */
  readonly cursor?: string;
}

/** One peer as `GET /peers` shows it: its statistics and why the connection exists. */
export interface PeerView extends PeerStats {
  /** Core's getpeerinfo `connection_type`. */
  connectionType: ConnectionType;
}

/** One peer in the status summary. */
export interface PeerSummary {
  id: number;
  /** The peer's one string form: address and direction. */
  peer: string;
  /** Core's getpeerinfo `connection_type`. */
  connectionType: ConnectionType;
  state: string;
  userAgent: string | null;
  version: number | null;
  startHeight: number | null;
}

/** Header sync progress (see `src/sync/sync_progress.ts`). */
export interface SyncSummary {
  /** Our best header height. */
  height: number;
  /** Highest height a connected peer announced (−1 with no peer). */
  bestPeerHeight: number;
  /** Headers accepted per second, averaged over the last few seconds. */
  headersPerSecond: number;
  /** True when no peer claims more than we have (and at least one peer is known). */
  caughtUp: boolean;
  /** The leading header presync, or null (see `PresyncSummary`). */
  presync: PresyncSummary | null;
}

/**
 * A peer's header presync: its chain is below the anti-DoS work threshold,
 * so it is downloaded twice before anything is stored (`src/sync/headers_presync.ts`).
 */
export interface PresyncSummary {
  /** The peer's string form. */
  peer: string;
  phase: "presync" | "redownload";
  /** Height its chain reached in presync. */
  height: number;
  /** Timestamp of its last presync header, Unix seconds. */
  time: number;
  /** Height reached in redownload (the start's before). */
  redownloadHeight: number;
  /** Bytes held for this peer's presync. */
  memoryBytes: number;
}

/**
 * The node at a glance (`GET /status`, `node.status()`; `statusResponse` in
 * schemas.ts, written out for the public API; checked against it below).
 */
export interface NodeStatus {
  network: string;
  version: string;
  runtime: string;
  state: "new" | "starting" | "running" | "stopping" | "stopped";
  uptimeSeconds: number;
  /** Addresses we accept inbound peers on (`host:port`). */
  listening: string[];
  /** Where the status API listens (`host:port`), or `null` when it is not served. */
  api: string | null;
  peers: {
    inbound: number;
    outbound: number;
    /** User-requested peers (`--connect`, `--addnode`, `POST /peers` with persistent). */
    persistent: number;
    /** Short-lived outbound connections that test an address. */
    feeler: number;
    /** Connections per connection type (Core's getpeerinfo names). */
    byConnectionType: Record<ConnectionType, number>;
    list: PeerSummary[];
  };
  /** Our header chain tip. */
  chain: {
    height: number;
    /** Block hash, display-order hex. */
    bestHash: string;
  };
  sync: SyncSummary;
  /** Address-manager sizes. */
  addrman: { new: number; tried: number; total: number };
  /** Bans in force. */
  bans: number;
  /** Memory figures in bytes, where the runtime gives them. */
  memory: { rss?: number; heapUsed?: number };
}
/** Address counts of one network, per table. */
export interface TableCounts {
  new: number;
  tried: number;
}

/** One known address, as `GET /addresses` lists it. */
export interface AddressItem {
  /** Canonical address text, without port. */
  address: string;
  port: number;
  /** Service bits, 16 hex digits. */
  services: string;
  table: AddressTable;
  network: AddressNetwork;
  /** Last successful connection, ms since the epoch (absent: never). */
  lastSuccess?: number;
  /** Failed attempts since the last success. */
  attempts: number;
}

/**
 * One page of the address book (`addressesResponse` in schemas.ts, written
 * out so the public API has explicit types; checked against it below).
 */
export interface AddressPage {
  /** Addresses per network and table (the whole book, not the page). */
  counts: Record<AddressNetwork, TableCounts>;
  needMoreAddresses: boolean;
  items: AddressItem[];
  /** Pass as `cursor` for the next page; absent at the end. */
  nextCursor?: string;
}
/** The header chain tip and the last headers. */
export type ChainView = z.output<typeof chainResponse>;
/** Recent blocks and per-peer known-inventory sizes. */
export type InventoryView = z.output<typeof inventoryResponse>;
/** Readiness: ready, or the reasons why not. */
export type Readiness = z.output<typeof readyResponse>;
/** An event of type `T` with its data (`time`: ms since the epoch). */
export interface EventOf<T extends string, D> {
  type: T;
  time: number;
  data: D;
}

/**
 * One node event, as streamed by `GET /events` (`nodeEvent` in schemas.ts,
 * written out for the public API; checked against it below).
 */
export type NodeEvent =
  | EventOf<"peer.connected", {
    id: number;
    /** String form: address and direction. */
    peer: string;
    direction: "inbound" | "outbound";
    connectionType: ConnectionType;
    userAgent: string;
    persistent: boolean;
  }>
  | EventOf<"peer.disconnected", { id: number; peer: string; reason: string }>
  | EventOf<"peer.evicted", {
    id: number;
    peer: string;
    connectionType: ConnectionType;
    /** Which rule evicted it. */
    rule: "chain-sync" | "extra-full-relay" | "extra-block-relay" | "inbound";
    reason: string;
  }>
  | EventOf<"tip.stale", {
    /** When our tip last changed (ms since the epoch). */
    lastTipChange: number;
    /** Seconds since. */
    staleSeconds: number;
  }>
  | EventOf<"block.accepted", { hash: string; height: number; from?: string }>
  | EventOf<"block.relayed", { hash: string; to: string[] }>
  | EventOf<"ban", { address: string; until: number; reason: string }>
  | EventOf<"addrman.saved", { addresses: number }>;
/** The event type names. */
export type NodeEventType = NodeEvent["type"];

/** What became of a block submitted with `POST /blocks`. */
export type SubmittedBlock = z.output<typeof submitBlockResponse>;

/** The answer to a connect request. */
export interface ConnectResult {
  /** The peer id, when the connection already has one. */
  readonly id?: number;
  /** "connected" when the peer is up already; "connecting" when a dial was started. */
  readonly status: "connecting" | "connected";
}

/**
 * A request the source refuses for a reason the caller can fix. The app
 * answers with `status` and the message (for 400 with `field`, as an issue
 * naming that field). Anything else a source throws is a 500.
 */
export class ApiRequestError extends Error {
  /** HTTP status: 400 bad input, 404 not found, 409 conflict, 503 not now. */
  readonly status: 400 | 404 | 409 | 503;
  /** The input field at fault, for 400. */
  readonly field: string | undefined;

  /** A refusal with `status`, `message` and (for 400) the field at fault. */
  constructor(status: 400 | 404 | 409 | 503, message: string, field?: string) {
    super(message);
    this.name = "ApiRequestError";
    this.status = status;
    this.field = field;
  }
}

/**
 * What the API reads from and asks of the node. Reads are synchronous
 * snapshots; control calls are async. Addresses passed in are already
 * validated and canonical (`formatAddress` / `formatHostPort` text).
 */
export interface ApiSource {
  /** The node at a glance. */
  status(): NodeStatus;
  /** Every connected peer. */
  peers(): PeerView[];
  /** One peer, or `undefined` (→ 404). */
  peer(id: number): PeerView | undefined;
  /**
   * A page of the address book. May throw `ApiRequestError(400, …, "cursor")`
   * for a cursor it cannot continue from.
   */
  addresses(query: AddressQuery): AddressPage;
  /** Bans in force. */
  bans(): BanEntry[];
  /** Header chain tip and the last headers, newest first. */
  chain(): ChainView;
  /** Recent blocks and known-inventory sizes. */
  inventory(): InventoryView;
  /** Counters, gauges and histograms for `GET /metrics`. */
  metrics(): MetricsSnapshot;
  /** Readiness for `GET /ready`: listening and at least one peer. */
  ready(): Readiness;
  /** Connects to `target` (canonical `host:port`); persistent peers are kept connected. */
  connect(target: string, persistent: boolean): Promise<ConnectResult>;
  /** Disconnects peer `id`; false when there is no such peer (→ 404). */
  disconnectPeer(id: number): Promise<boolean>;
  /**
   * Bans `address` (canonical, no port) for `durationSeconds` (the node's
   * default when omitted), disconnecting matching peers; resolves to the ban.
   */
  ban(address: string, durationSeconds?: number, reason?: string): Promise<BanEntry>;
  /** Lifts a ban; false when there was none (→ 404). */
  unban(address: string): Promise<boolean>;
  /**
   * Accepts a serialized block produced or obtained locally (like Core's
   * `submitblock`) and relays it when it extends the tip. A rejected block
   * throws `ApiRequestError(400, …)` naming the reason.
   */
  submitBlock(block: Uint8Array): Promise<SubmittedBlock>;
  /**
   * Events from now on until `signal` aborts, when the iterable must end.
   * A slow reader must not hold the node back: buffer a bounded number per
   * subscriber and drop the oldest past it.
   */
  events(signal: AbortSignal): AsyncIterable<NodeEvent>;
}

// Compile-time checks: `deno check` fails here when a type written out above
// and the schema it mirrors differ in any field.
type _AddressPageAgrees = Holds<Same<z.output<typeof addressesResponse>, AddressPage>>;
type _NodeEventAgrees = Holds<Same<z.output<typeof nodeEvent>, NodeEvent>>;
type _NodeStatusAgrees = Holds<Same<z.output<typeof statusResponse>, NodeStatus>>;
