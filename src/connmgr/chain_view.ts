/**
 * What the connection manager reads of the block side for its eviction
 * rules, declared here by its user (as btcd's netsync declares what it needs
 * of the server): our tip's work, hash and time, when it last changed, what
 * each peer has shown of its chain, blocks in flight, and one request it
 * makes (the `getheaders` of a chain-sync check). The node hands it the
 * block manager's `progress` behind this interface, and the block
 * manager's "chain" event (our tip or a peer's best header moved) as
 * `ConnManager.chainMoved`.
 */

/** What the block side knows of one peer's chain (Core's CNodeState fields). */
export interface PeerChainFacts {
  /** Total work of the best header it has shown it has (pindexBestKnownBlock); null: none yet. */
  readonly bestWork: bigint | null;
  /** Clock time (ms) it last announced a header that moved our tip; 0: never. */
  readonly lastAnnouncementAt: number;
  /** Clock time (ms) it last gave us a block new to us, accepted; 0: never. */
  readonly lastBlockAt: number;
}

/** The block side as the connection manager sees it. */
export interface ChainView {
  /** Our best chain's total work, tip hash (wire order) and tip header time (Unix seconds). */
  tip(): { readonly work: bigint; readonly hash: Uint8Array; readonly time: number };
  /** Clock time (ms) our tip last changed. */
  lastTipChangeAt(): number;
  /** What we know of peer `id`'s chain; undefined when it takes no part in block relay. */
  peerChain(id: number): PeerChainFacts | undefined;
  /** True once header sync has started with peer `id` (Core's fSyncStarted). */
  syncStarted(id: number): boolean;
  /** Blocks in flight from peer `id`, or from every peer. */
  blocksInFlight(id?: number): number;
  /**
   * Asks peer `id` for headers from the parent of header `hash` on (so it
   * answers with `hash` at least, when it has it); skipped while a request
   * to it is outstanding.
   */
  requestHeadersFrom(id: number, hash: Uint8Array): void;
}
