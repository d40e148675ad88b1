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

/** The node at a glance. */
export interface NodeStatus {
  readonly network: string;
  readonly version: string;
  readonly runtime: string;
  readonly state: "new" | "starting" | "running" | "stopping" | "stopped";
  readonly uptimeSeconds: number;
  /** Addresses we accept inbound peers on (`host:port`). */
  readonly listening: string[];
  readonly api: string | null;
  readonly peers: {
    readonly inbound: number;
    readonly outbound: number;
    readonly persistent: number;
    readonly list: PeerSummary[];
  };
  readonly bans: number;
}
