/**
 * The block manager's serving side: each peer's `GetDataQueue`
 * (`block_serve.ts`) wired to where blocks are held — the recent-blocks
 * cache, then the block store on disk, heights from the header chain first
 * — and to the compact relay (`compact_relay.ts`) for `MSG_CMPCT_BLOCK`
 * entries and `getblocktxn`. A peer asking for a block deeper than
 * `MAX_SERVE_DEPTH` is disconnected. Counts what was served.
 */
import type { Logger } from "../log/logger.ts";
import type { Clock } from "../platform/clock.ts";
import type { Message } from "../wire/message.ts";
import {
  answerGetData,
  type BlockSource,
  GetDataQueue,
  type HeldBlock,
  type ServeRequest,
} from "./block_serve.ts";
import type { BlockStore } from "./block_store.ts";
import type { CompactRelay } from "./compact_relay.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { RecentBlocks } from "./recent_blocks.ts";
import type { SyncPeer } from "./sync_peer.ts";

/** Running totals of serving. */
export interface BlockServingCounters {
  readonly blocksServed: number;
  /** Of `blocksServed`, those read from the block store. */
  readonly blocksServedFromDisk: number;
  /** Peers disconnected for asking for a block deeper than we serve. */
  readonly deepBlockRequests: number;
  /** Entries answered with `notfound`. */
  readonly notFoundSent: number;
}

/** Where the blocks served are held (the block intake has both). */
export interface HeldBlocks {
  /** Blocks in memory. */
  readonly recent: RecentBlocks;
  /** The blocks on disk, once opened (null: memory only). */
  readonly store: BlockStore | null;
}

/** What a `BlockServing` needs. */
export interface BlockServingOptions {
  readonly chain: HeaderChain;
  readonly blocks: HeldBlocks;
  /** Answers `MSG_CMPCT_BLOCK` entries and `getblocktxn`. */
  readonly compact: CompactRelay;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Answers peers' `getdata` and `getblocktxn` from the blocks held. */
export class BlockServing {
  readonly #o: BlockServingOptions;
  readonly #source: BlockSource;
  readonly #counters = {
    blocksServed: 0,
    blocksServedFromDisk: 0,
    deepBlockRequests: 0,
    notFoundSent: 0,
  };

  constructor(options: BlockServingOptions) {
    this.#o = options;
    const { chain, blocks } = options;
    this.#source = {
      height: (hash) =>
        chain.heightOf(hash) ?? blocks.recent.heightOf(hash) ?? blocks.store?.heightOf(hash),
      tipHeight: () => chain.tipHeight,
      cached: (hash) => blocks.recent.get(hash),
      stored: (hash) => blocks.store?.read(hash),
    };
  }

  /** Running totals. */
  get counters(): BlockServingCounters {
    return { ...this.#counters };
  }

  /** The queue serving `peer`'s requests; aborting `signal` (it left) stops it. */
  queueFor(peer: SyncPeer, signal: AbortSignal): GetDataQueue {
    const counters = this.#counters;
    return new GetDataQueue({
      peer,
      source: this.#source,
      answer: (request, held) => this.#answer(peer, request, held),
      clock: this.#o.clock,
      signal,
      onServed: (hash, command, fromDisk) => {
        peer.known.add(hash);
        if (command !== "block") return;
        counters.blocksServed++;
        if (fromDisk) counters.blocksServedFromDisk++;
      },
      onNotFound: (n) => (counters.notFoundSent += n),
      onTooDeep: (reason) => {
        counters.deepBlockRequests++;
        this.#o.logger.debug("peer asked for a block deeper than we serve", {
          peer: peer.toString(),
          reason,
        });
        void peer.disconnect(reason);
      },
    });
  }

  /** What `peer` gets for one request of its getdata queue about the block `held`. */
  #answer(peer: SyncPeer, request: ServeRequest, held: HeldBlock): Message | undefined {
    const compact = this.#o.compact;
    if ("command" in request) return compact.answerGetBlockTxn(peer, request, held);
    return answerGetData(request, held, (hash, h) => compact.answerCmpctBlock(hash, h));
  }
}
