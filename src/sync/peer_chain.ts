/**
 * What the block manager knows of one peer's chain, for the connection
 * manager's eviction rules: the most-work header the peer has shown it has
 * (Core's pindexBestKnownBlock: the last header of its `headers`, a block it
 * announced that we know, a block it sent), when it last announced a header
 * that moved our tip (Core's m_last_block_announcement), and when it last
 * gave us a block we did not have, accepted (Core's m_last_block_time).
 */
import { bytesEqual } from "../wire/bytes.ts";
import type { HeaderChain } from "./header_chain.ts";

/** A peer's chain as the connection manager reads it. */
export interface PeerChainView {
  /** Total work of the best header it has shown it has; null before it showed any. */
  readonly bestWork: bigint | null;
  /** Clock time (ms) it last announced a header that moved our tip; 0: never. */
  readonly lastAnnouncementAt: number;
  /** Clock time (ms) it last gave us a block new to us, accepted; 0: never. */
  readonly lastBlockAt: number;
}

/** The facts about one peer's chain, updated by the block manager. */
export class PeerChain implements PeerChainView {
  /** The best header it has shown, wire order. */
  #bestHash: Uint8Array | null = null;
  bestWork: bigint | null = null;
  lastAnnouncementAt = 0;
  lastBlockAt = 0;

  /**
   * The peer has the block `hash`: when the chain knows it and it has more
   * work than its best so far, it becomes its best. True when it did.
   */
  noteHas(chain: HeaderChain, hash: Uint8Array): boolean {
    if (this.#bestHash !== null && bytesEqual(this.#bestHash, hash)) return false;
    const info = chain.info(hash);
    if (info === undefined || (this.bestWork !== null && info.chainWork <= this.bestWork)) {
      return false;
    }
    this.#bestHash = hash.slice();
    this.bestWork = info.chainWork;
    return true;
  }
}
