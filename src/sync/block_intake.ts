/**
 * Blocks coming in, from a peer or submitted locally: each is checked
 * (`block_accept.ts`), then kept (bytes in the `RecentBlocks` cache that
 * serves getdata and in the on-disk `BlockStore` behind it, a record in
 * `BlockRecords`), held as an orphan until its
 * parent arrives (`OrphanPool`; accepting a block connects its waiting
 * children, in order), ignored (valid, but a block nobody asked for that
 * adds no work to our tip, or one whose chain is below the anti-DoS work
 * threshold: neither kept nor relayed, nobody punished), or rejected at the
 * cost `penalties.ts` gives the reason. A block on a parent found invalid is
 * invalid too (`bad-prevblk`). A rejected block is not downloaded again
 * unless only this copy was bad (mutated): then only its sender is not asked
 * for it again. What to do next (announce a new tip, ask for an orphan's
 * parent) is the block manager's: the intake reports it.
 *
 * A block accepted at the tip is reported (`onNewTip`) before anything
 * else is done with it, for the fastest relay (compact blocks pushed to
 * high-bandwidth peers).
 */
import type { Logger } from "../log/logger.ts";
import { KnownInventory } from "../peer/known_inventory.ts";
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import { BLOCK_HEADER_SIZE, blockHeaderHash } from "../wire/block_header.ts";
import { hashToHex } from "../wire/bytes.ts";
import { acceptBlock, type BlockAcceptResult, type BlockOrigin } from "./block_accept.ts";
import type { BlockAcceptedEvent } from "./block_events.ts";
import { BlockRecords } from "./block_records.ts";
import type { BlockStore } from "./block_store.ts";
import type { HeaderChain } from "./header_chain.ts";
import { OrphanPool } from "./orphan_pool.ts";
import { penaltyPoints } from "./penalties.ts";
import { RecentBlocks } from "./recent_blocks.ts";
import type { SyncPeer } from "./sync_peer.ts";

/** Hashes of blocks found invalid, never downloaded again. */
export const MAX_INVALID_BLOCKS = 1_000;

/** A block to process, with where it came from. */
export interface IncomingBlock {
  readonly bytes: Uint8Array;
  readonly from: SyncPeer | undefined;
  /** True when `from` was added to the manager (we have a record of it). */
  readonly registered: boolean;
  /** Asked for, pushed unasked, or submitted locally (see `BlockOrigin`). */
  readonly origin: BlockOrigin;
}

/** The last block accepted at the tip by one `process` call: the one to announce. */
export interface TipBlock {
  /** Wire order. */
  readonly hash: Uint8Array;
  readonly height: number;
  /** Its sender (never announced to). */
  readonly from: SyncPeer | undefined;
}

/** What the intake keeps of a peer (the block manager's per-peer state has these). */
export interface IntakePeer {
  readonly peer: SyncPeer;
  /** Blocks it failed to deliver: not asked of it again. */
  readonly lacks: KnownInventory;
}

/** What a `BlockIntake` needs (`P`: the manager's per-peer state). */
export interface BlockIntakeOptions<P extends IntakePeer> {
  readonly chain: HeaderChain;
  readonly sha256: Sha256;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly limits: {
    readonly orphanBlocks: number;
    readonly orphanBytes: number;
    readonly recentBlocks: number;
    readonly recentBytes: number;
    readonly blockRecords: number;
  };
  /** The connected peers by id (the manager's own map, read only). */
  readonly peers: ReadonlyMap<number, P>;
  /**
   * A block passed acceptance and is the new tip: called at once, before it
   * is kept, logged or reported (`from`: its sender).
   */
  readonly onNewTip: (
    block: Extract<BlockAcceptResult, { status: "accepted" }>,
    from: SyncPeer | undefined,
  ) => void;
  /** A block was accepted. */
  readonly onAccepted: (event: BlockAcceptedEvent) => void;
  /** A block brought a header new to the chain. */
  readonly onNewHeader: () => void;
  /** An orphan from a known peer was held; `missing` is its oldest absent ancestor, if known. */
  readonly onOrphan: (from: P, missing: Uint8Array | undefined) => void;
}

/** Running totals of the intake. */
export interface BlockIntakeCounters {
  readonly blocksAccepted: number;
  readonly blocksRejected: number;
  /** Blocks received again (already accepted or held as orphans). */
  readonly blocksDuplicate: number;
  /** Valid blocks not kept: unrequested without more work, or below the work threshold. */
  readonly blocksIgnored: number;
  readonly orphansAdded: number;
}

/**
 * `bytes`, copied when it is a small view of a much larger buffer (a
 * network chunk), so keeping it does not pin the rest.
 */
function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength * 2 < bytes.buffer.byteLength ? bytes.slice() : bytes;
}

/** Accepts, keeps, holds or rejects incoming blocks. */
export class BlockIntake<P extends IntakePeer> {
  /** Accepted blocks remembered. */
  readonly records: BlockRecords;
  /** Accepted blocks' bytes, served to getdata (the newest of the best chain first). */
  readonly recent: RecentBlocks;
  /** The blocks on disk, once the manager opened them (null: memory only). */
  store: BlockStore | null = null;
  /** Blocks whose parent is unknown. */
  readonly orphans: OrphanPool;
  readonly #o: BlockIntakeOptions<P>;
  readonly #invalid = new KnownInventory(MAX_INVALID_BLOCKS);
  readonly #counters = {
    blocksAccepted: 0,
    blocksRejected: 0,
    blocksDuplicate: 0,
    blocksIgnored: 0,
    orphansAdded: 0,
  };

  constructor(options: BlockIntakeOptions<P>) {
    const { limits } = options;
    this.#o = options;
    this.records = new BlockRecords(limits.blockRecords);
    this.recent = new RecentBlocks(
      (hash) => options.chain.heightOf(hash) !== undefined,
      { maxCount: limits.recentBlocks, maxBytes: limits.recentBytes },
    );
    this.orphans = new OrphanPool({ maxCount: limits.orphanBlocks, maxBytes: limits.orphanBytes });
  }

  /** Running totals. */
  get counters(): BlockIntakeCounters {
    return { ...this.#counters };
  }

  /**
   * True when block `hash` is accepted, stored, known invalid or an orphan:
   * never to be downloaded. `hex`: the hash in display hex, when the caller
   * has it (one conversion serves every lookup).
   */
  has(hash: Uint8Array, hex = hashToHex(hash)): boolean {
    return this.records.has(hash, hex) || this.#invalid.has(hash) || this.orphans.has(hash, hex) ||
      this.store?.has(hash, hex) === true;
  }

  /** True when block `hash` was found invalid (not merely a mutated copy). */
  invalid(hash: Uint8Array): boolean {
    return this.#invalid.has(hash);
  }

  /**
   * Refuses a `block` message too short to hold a header (as an undecodable
   * block: counted, logged). True when refused.
   */
  refuseShort(peer: SyncPeer, raw: Uint8Array): boolean {
    if (raw.length >= BLOCK_HEADER_SIZE) return false;
    this.#counters.blocksRejected++;
    this.#o.logger.debug("block rejected", {
      reason: "decode",
      message: `block of ${raw.length} bytes, shorter than a header`,
      peer: peer.toString(),
    });
    return true;
  }

  /** True (and counted) when block `hash` came before: accepted, stored or held as an orphan. */
  duplicate(hash: Uint8Array): boolean {
    if (!this.records.has(hash) && !this.orphans.has(hash) && this.store?.has(hash) !== true) {
      return false;
    }
    this.#counters.blocksDuplicate++;
    return true;
  }

  /**
   * Processes a block, then the orphans it connects (in order). Returns the
   * first block's result and the last block accepted at the tip (null when
   * none is, or the tip moved past it meanwhile).
   */
  process(first: IncomingBlock): { result: BlockAcceptResult; tip: TipBlock | null } {
    const { chain, sha256, peers } = this.#o;
    const queue: IncomingBlock[] = [first];
    let firstResult: BlockAcceptResult | undefined;
    let tip: TipBlock | null = null;
    for (let i = 0; i < queue.length; i++) {
      const { bytes, from, registered, origin } = queue[i];
      const result = this.#invalidParent(bytes) ?? acceptBlock(chain, sha256, bytes, origin);
      firstResult ??= result;
      switch (result.status) {
        case "accepted":
          if (result.onBestChain && result.height === chain.tipHeight) {
            this.#o.onNewTip(result, from);
            tip = { hash: result.hash, height: result.height, from };
          }
          this.#keep(result, bytes, from);
          for (const child of this.orphans.takeChildren(result.hash)) {
            const st = peers.get(child.peerId);
            // Nobody asked for an orphan: it is kept only if it adds work.
            queue.push({
              bytes: child.bytes,
              from: st?.peer,
              registered: st !== undefined,
              origin: "unrequested",
            });
          }
          break;
        case "ignored":
          this.#ignore(result, from);
          break;
        case "orphan":
          this.#hold(result.hash, result.prevHash, bytes, from, registered);
          break;
        case "rejected":
          this.#reject(result, bytes, from);
          break;
      }
    }
    if (tip !== null && chain.heightOf(tip.hash) !== chain.tipHeight) tip = null;
    return { result: firstResult!, tip };
  }

  /** A `bad-prevblk` rejection when `bytes` builds on a block found invalid, else null. */
  #invalidParent(bytes: Uint8Array): BlockAcceptResult | null {
    if (bytes.length < BLOCK_HEADER_SIZE || !this.#invalid.has(bytes.subarray(4, 36))) return null;
    return {
      status: "rejected",
      hash: blockHeaderHash(this.#o.sha256, bytes),
      reason: "bad-prevblk",
      message: `its parent ${hashToHex(bytes.subarray(4, 36))} was found invalid`,
      mutated: false,
    };
  }

  #ignore(result: Extract<BlockAcceptResult, { status: "ignored" }>, from: SyncPeer | undefined) {
    this.#counters.blocksIgnored++;
    if (result.header !== null) this.#o.onNewHeader();
    this.#o.logger.debug("block ignored", {
      hash: hashToHex(result.hash),
      reason: result.reason,
      message: result.message,
      peer: from?.toString(),
    });
  }

  #keep(
    result: Extract<BlockAcceptResult, { status: "accepted" }>,
    bytes: Uint8Array,
    from: SyncPeer | undefined,
  ): void {
    const kept = owned(bytes);
    const key = hashToHex(result.hash);
    const receivedAt = this.#o.clock.now();
    const fromText = from?.toString();
    const sender = fromText === undefined ? {} : { from: fromText };
    this.records.add({
      hash: result.hash,
      height: result.height,
      size: kept.length,
      receivedAt,
      ...sender,
    });
    this.recent.put(result.hash, result.height, kept);
    this.store?.put(result.hash, result.height, kept);
    this.#counters.blocksAccepted++;
    if (result.header !== null) this.#o.onNewHeader();
    this.#o.logger.debug("block accepted", {
      hash: key,
      height: result.height,
      bestChain: result.onBestChain,
      peer: fromText,
    });
    this.#o.onAccepted({
      hash: key,
      height: result.height,
      onBestChain: result.onBestChain,
      size: kept.length,
      ...sender,
      receivedAt,
    });
  }

  #hold(
    hash: Uint8Array,
    prevHash: Uint8Array,
    bytes: Uint8Array,
    from: SyncPeer | undefined,
    registered: boolean,
  ): void {
    const log = this.#o.logger;
    const fields = { hash: hashToHex(hash), parent: hashToHex(prevHash), peer: from?.toString() };
    if (from !== undefined && !registered) {
      log.warn("orphan block from a peer we have no record of", fields);
    }
    const { added, evicted } = this.orphans.add({
      hash,
      prevHash: prevHash.slice(),
      bytes: owned(bytes),
      peerId: from?.id ?? -1,
    });
    if (evicted.length > 0) log.debug("orphan blocks evicted", { count: evicted.length });
    if (!added) return;
    this.#counters.orphansAdded++;
    log.debug("orphan block held", fields);
    const st = registered && from !== undefined ? this.#o.peers.get(from.id) : undefined;
    if (st !== undefined) this.#o.onOrphan(st, this.orphans.missingAncestor(hash));
  }

  #reject(
    result: Extract<BlockAcceptResult, { status: "rejected" }>,
    bytes: Uint8Array,
    from: SyncPeer | undefined,
  ): void {
    this.#counters.blocksRejected++;
    const hash = result.hash;
    if (from?.payloadIntact?.(bytes) === false) {
      // Damaged in transit, not a bad block: its transport reports the frame.
      this.#o.logger.debug("block damaged in transit", {
        hash: hash === null ? null : hashToHex(hash),
        reason: result.reason,
        peer: from.toString(),
      });
      return;
    }
    const points = penaltyPoints(result.reason);
    if (hash !== null) {
      if (result.mutated) {
        if (from !== undefined) this.#o.peers.get(from.id)?.lacks.add(hash);
      } else if (points > 0) this.#invalid.add(hash);
    }
    this.#o.logger.debug("block rejected", {
      hash: hash === null ? null : hashToHex(hash),
      reason: result.reason,
      message: result.message,
      peer: from?.toString(),
    });
    if (from !== undefined && points > 0) {
      from.misbehave(points, `block rejected (${result.reason}): ${result.message}`);
    }
  }
}
