/** The node's status snapshot (what `GET /status` and `node.status()` return). */

/** One peer in the status summary. */
export interface PeerSummary {
  readonly id: number;
  /** The peer's one string form: address and direction. */
  readonly peer: string;
  readonly state: string;
  readonly userAgent: string | null;
  readonly version: number | null;
  readonly startHeight: number | null;
}

/** Header sync progress (see `src/sync/sync_progress.ts`). */
export interface SyncSummary {
  /** Our best header height. */
  readonly height: number;
  /** Highest height a connected peer announced (−1 with no peer). */
  readonly bestPeerHeight: number;
  /** Headers accepted per second, averaged over the last few seconds. */
  readonly headersPerSecond: number;
  /** True when no peer claims more than we have (and at least one peer is known). */
  readonly caughtUp: boolean;
}

/** The node at a glance. */
export interface NodeStatus {
  readonly network: string;
  readonly version: string;
  readonly runtime: string;
  readonly state: "new" | "starting" | "running" | "stopping" | "stopped";
  readonly uptimeSeconds: number;
  /** Addresses we accept inbound peers on (`host:port`). */
  readonly listening: string[];
  /** Where the status API listens (`host:port`), or `null` when it is not served. */
  readonly api: string | null;
  readonly peers: {
    readonly inbound: number;
    readonly outbound: number;
    /** User-requested peers (`--connect`, `--addnode`, `POST /peers` with persistent). */
    readonly persistent: number;
    /** Short-lived outbound connections that test an address. */
    readonly feeler: number;
    readonly list: PeerSummary[];
  };
  /** Our header chain tip. */
  readonly chain: {
    readonly height: number;
    /** Block hash, display-order hex. */
    readonly bestHash: string;
  };
  readonly sync: SyncSummary;
  /** Address-manager sizes. */
  readonly addrman: {
    readonly new: number;
    readonly tried: number;
    readonly total: number;
  };
  /** Bans in force. */
  readonly bans: number;
  /** Memory figures in bytes, where the runtime gives them. */
  readonly memory: {
    readonly rss?: number;
    readonly heapUsed?: number;
  };
}
