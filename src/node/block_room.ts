/**
 * The seam where the block manager plugs into the node (`src/sync`: header
 * chain, block download, relay). The node drives it at fixed points of its
 * life: `load` with the other stored state, `start` after the address
 * manager, `addPeer`/`removePeer` as peers finish their handshake and leave,
 * every block-related message, and `stop` after the peers are gone. The API
 * reads the chain, the recent blocks and the sync progress through it, and
 * submits locally produced blocks. `BlockManagerRoom`
 * (`block_manager_room.ts`) is the implementation.
 */
import type { Peer } from "../peer/peer.ts";
import type { KvStore } from "../platform/storage.ts";
import type { RecentBlockView } from "../sync/block_manager.ts";
import type { Message } from "../wire/message.ts";
import type { NodeStatus } from "../api/source.ts";

/** Where our chain is, for the status and our `version` message. */
export interface ChainTip {
  readonly height: number;
  /** Display-order hex. */
  readonly hash: string;
}

/** One header of the best chain. */
export interface HeaderView {
  /** Display-order hex. */
  readonly hash: string;
  readonly height: number;
  /** Header timestamp, Unix seconds. */
  readonly time: number;
}

/** What became of a submitted block. */
export type SubmitResult =
  | {
    /** Accepted now, held as an orphan (parent unknown), or already accepted before. */
    readonly status: "accepted" | "orphan" | "duplicate";
    /** Display-order hex. */
    readonly hash: string;
    /** Its height; null for an orphan (its parent is unknown). */
    readonly height: number | null;
  }
  | {
    readonly status: "rejected";
    /** Display-order hex, or null when the bytes are not a block. */
    readonly hash: string | null;
    /** The rejection reason (`decode`, `bad-pow`, `bad-txnmrklroot`…). */
    readonly reason: string;
    /** What was wrong. */
    readonly message: string;
  };

/** What the node needs from the block manager. */
export interface BlockRoom {
  /** Loads stored state (headers) from the data directory; resolves with a summary to log. */
  load(store: KvStore): Promise<Record<string, unknown>>;
  /** Begins taking part: peers, messages and submitted blocks are handled from now on. */
  start(): void;
  /** A peer completed its handshake (outbound full, persistent, manual or inbound). */
  addPeer(peer: Peer): void;
  removePeer(peer: Peer): void;
  /** A block-related message (inv, headers, block, getdata, getheaders, notfound...). */
  onMessage(peer: Peer, msg: Message): void;
  /** Our best chain tip. */
  tip(): ChainTip;
  /** Header sync progress for the status. */
  sync(): NodeStatus["sync"];
  /** The last `count` headers of the best chain, newest first. */
  recentHeaders(count: number): HeaderView[];
  /** Blocks accepted lately, newest first (at most `limit`). */
  recentBlocks(limit: number): RecentBlockView[];
  /**
   * Accepts a block produced or obtained locally (like Core's
   * `submitblock`) and relays it when it lands at the tip. Null before
   * `start` and after `stop`.
   */
  submit(bytes: Uint8Array): SubmitResult | null;
  /** Stops and saves. */
  stop(): Promise<void>;
}
