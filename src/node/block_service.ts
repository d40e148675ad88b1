/**
 * The block service: what the node's parts use of header sync and block
 * relay, declared here by its users (the way btcd's netsync declares what
 * it needs of the server in interface.go). The message dispatch hands it
 * peers and their messages (`BlockPeers`); the status and the API read it
 * and submit blocks (`BlockViews`); the connection manager's eviction
 * rules read the chain's `progress` (`ChainView`, declared by connmgr);
 * the node loads, starts and stops it and listens to its events
 * (`BlockService`). The node runs the block manager
 * (`src/sync/block_manager.ts`) behind it.
 */
import type { ChainView } from "../connmgr/chain_view.ts";
import type { Peer } from "../peer/peer.ts";
import type { KvStore } from "../platform/storage.ts";
import type { BlockManagerEvents } from "../sync/block_events.ts";
import type { ChainTipView } from "../sync/chain_tips.ts";
import type { RecentBlockView } from "../sync/block_records.ts";
import type { BlockStoreLoadReport } from "../sync/block_store.ts";
import type { BlockManagerStatus, HeaderView, SubmitResult } from "../sync/block_views.ts";
import type { HeaderLoadReport } from "../sync/header_persist.ts";
import type { Message } from "../wire/message.ts";

/** What the message dispatch hands the block side. */
export interface BlockPeers {
  /** A peer completed its handshake and takes part in block relay. */
  addPeer(peer: Peer): void;
  /** It left. */
  removePeer(id: number): void;
  /** A block-related message (inv, headers, block, getdata, getheaders, notfound...). */
  onMessage(peer: Peer, msg: Message): void;
}

/** What the status and the API read of the block side, and how they submit a block. */
export interface BlockViews {
  /** Tip, header sync progress, caches and counters. */
  status(): BlockManagerStatus;
  /** The last `count` headers of the best chain, newest first. */
  recentHeaders(count: number): HeaderView[];
  /** The active tip and up to `limit − 1` other branch tips (Core's getchaintips). */
  chainTips(limit: number): ChainTipView[];
  /** Blocks accepted lately, newest first (at most `limit`). */
  recentBlocks(limit: number): RecentBlockView[];
  /**
   * Accepts a block produced or obtained locally (like Core's
   * `submitblock`) and relays it when it lands at the tip. Null before
   * `start` and after `stop`.
   */
  submit(bytes: Uint8Array): SubmitResult | null;
}

/** The block side as the node runs it. */
export interface BlockService extends BlockPeers, BlockViews {
  /** The chain's progress, for the connection manager's eviction rules. */
  readonly progress: ChainView;
  /** Fills the header chain from the data directory; new headers are saved there. */
  load(store: KvStore): Promise<HeaderLoadReport>;
  /** Opens the block store (after `load`); blocks are kept there. */
  loadBlocks(store: KvStore): Promise<BlockStoreLoadReport>;
  /** How many blocks behind the network our tip probably is (from its age). */
  approximateTipDepth(): number;
  /** Begins taking part: peers, messages and submitted blocks are handled from now on. */
  start(): void;
  /** Stops and saves the headers one last time; never rejects. */
  stop(): Promise<void>;
  /** Subscribes to "accepted", "relayed" and "chain"; returns the function that unsubscribes. */
  on<K extends keyof BlockManagerEvents>(
    event: K,
    handler: (...args: BlockManagerEvents[K]) => void,
  ): () => void;
}
