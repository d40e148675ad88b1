/**
 * Which blocks to download from whom (Core's FindNextBlocksToDownload), over
 * the requests in flight (`block_download.ts`). Once headers are synced, the
 * blocks of the last `keepBlocks` heights of the best header chain (288:
 * what a NODE_NETWORK_LIMITED node serves) that we do not hold are asked
 * (`getdata`, witness), the newest first, of peers that serve blocks with
 * witness and showed they have them — a limited peer not for blocks near
 * the edge of what it keeps (Core's FindNextBlocks) — bounded in flight per
 * peer and in total, each with a timeout; a peer that failed to deliver one
 * (`notfound`, a timeout, a mutated copy) is not asked for it again.
 */
import type { Logger } from "../log/logger.ts";
import { KnownInventory } from "../peer/known_inventory.ts";
import { NODE_NETWORK, NODE_NETWORK_LIMITED, NODE_WITNESS } from "../peer/services.ts";
import type { Clock } from "../platform/clock.ts";
import { hashToHex } from "../wire/bytes.ts";
import {
  type InvItem,
  MSG_BLOCK,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_FLAG,
} from "../wire/messages/inv.ts";
import type { NetworkParams } from "../wire/params.ts";
import { BlockDownload } from "./block_download.ts";
import type { IntakePeer } from "./block_intake.ts";
import type { BlockManagerLimits } from "./block_manager_limits.ts";
import { NODE_NETWORK_LIMITED_MIN_BLOCKS } from "./block_store.ts";
import type { HeaderChain } from "./header_chain.ts";

/**
 * Per peer, blocks it failed to deliver (notfound, timeout, mutated) not
 * asked of it again: at least this many, and at least the download window
 * (`keepBlocks`). A memory smaller than the window would cycle with a peer
 * lacking the whole window (ask, notfound, forget, ask again) without end.
 */
export const MAX_LACKING_PER_PEER = 64;
/**
 * While the initial sync runs, headers that move our tip are followed by
 * their blocks at once only when the tip is at most this many block
 * intervals old: we are close to the present, so this is a new block, not
 * history (Core CanDirectFetch, 20 blocks).
 */
export const DIRECT_FETCH_MAX_TIP_AGE_BLOCKS = 20;
/**
 * A limited peer is not asked for blocks this close to the edge of what it
 * keeps, counted from its best block: two short of 288, for races (Core
 * FindNextBlocks).
 */
export const LIMITED_PEER_FETCH_DEPTH = NODE_NETWORK_LIMITED_MIN_BLOCKS - 2;

/** What the fetch reads of the block manager's state of one peer. */
export interface FetchPeer extends IntakePeer {
  /** Highest best-chain height it showed us it has, −1 before (the header intake raises it). */
  bestHeight: number;
}

/** What a `BlockFetch` needs (`P`: the manager's per-peer state). */
export interface BlockFetchOptions<P extends FetchPeer> {
  readonly params: NetworkParams;
  readonly chain: HeaderChain;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Aborting cancels every download timer (the manager stopping). */
  readonly signal: AbortSignal;
  readonly limits: Pick<
    BlockManagerLimits,
    "blocksInFlightPerPeer" | "blocksInFlight" | "blockTimeoutMs" | "keepBlocks"
  >;
  /** The connected peers by id (the manager's own map, read only). */
  readonly peers: ReadonlyMap<number, P>;
  /** True when the block `hash` (`hex` in display hex) is held, known invalid or an orphan. */
  readonly has: (hash: Uint8Array, hex: string) => boolean;
  /** True while the initial header sync runs. */
  readonly syncing: () => boolean;
  /** True once the manager stopped. */
  readonly stopped: () => boolean;
}

/** Running totals of the fetch. */
export interface BlockFetchCounters {
  readonly downloadTimeouts: number;
}

/** Asks peers for the blocks we want, within the bounds. */
export class BlockFetch<P extends FetchPeer> {
  /** The requests in flight. */
  readonly download: BlockDownload;
  readonly #o: BlockFetchOptions<P>;
  readonly #counters = { downloadTimeouts: 0 };

  constructor(options: BlockFetchOptions<P>) {
    this.#o = options;
    const { limits } = options;
    this.download = new BlockDownload({
      clock: options.clock,
      signal: options.signal,
      perPeer: limits.blocksInFlightPerPeer,
      total: limits.blocksInFlight,
      timeoutMs: limits.blockTimeoutMs,
      onTimeout: (hash, peerId) => this.#timedOut(hash, peerId),
    });
  }

  /** Running totals. */
  get counters(): BlockFetchCounters {
    return { ...this.#counters };
  }

  /** A new peer's memory of the blocks it failed to deliver. */
  lackMemory(): KnownInventory {
    return new KnownInventory(Math.max(MAX_LACKING_PER_PEER, this.#o.limits.keepBlocks));
  }

  /** Asks each peer (`first` first) for the wanted blocks it has. */
  fetchAll(first?: P): void {
    if (!this.#allowed()) return;
    const peers = this.#o.peers;
    if (first !== undefined && peers.get(first.peer.id) === first) this.fetchFrom(first);
    for (const st of peers.values()) if (st !== first) this.fetchFrom(st);
  }

  /**
   * True when our tip is within `DIRECT_FETCH_MAX_TIP_AGE_BLOCKS` block
   * intervals of now (Core CanDirectFetch).
   */
  tipIsRecent(): boolean {
    const spacing = this.#o.params.powTargetSpacing;
    return this.#o.chain.tip().time * 1000 >
      this.#o.clock.now() - DIRECT_FETCH_MAX_TIP_AGE_BLOCKS * spacing * 1000;
  }

  /**
   * Asks `st` for the wanted blocks of the window it showed it has, newest
   * first, within the bounds: only a peer serving blocks with witness (Core
   * CanServeBlocks, CanServeWitnesses), and a limited one (Core
   * IsLimitedPeer) not for blocks `LIMITED_PEER_FETCH_DEPTH` below its best;
   * nothing while the initial sync runs.
   */
  fetchFrom(st: P): void {
    this.#fetchFrom(st, false, false);
  }

  /**
   * The blocks a new tip announced by `st` brought, asked of `st` at once:
   * from the tip down to the first block we hold, even while the initial
   * sync runs (Core HeadersDirectFetchBlocks, under CanDirectFetch: the
   * caller checks `tipIsRecent`). The walk stops where our blocks begin, so
   * the request goes out before the window's full scan (`fetchAll`), which
   * costs a lookup per height of the 288 for every peer.
   */
  fetchNew(st: P): void {
    this.#fetchFrom(st, true, true);
  }

  /**
   * `fetchFrom`; `direct` asks even while the initial sync runs, and with
   * `stopAtHeld` the walk down from the tip ends at the first block held.
   */
  #fetchFrom(st: P, direct: boolean, stopAtHeld: boolean): void {
    const peer = st.peer;
    const { chain, limits } = this.#o;
    const download = this.download;
    if (this.#o.stopped() || !download.canRequest(peer.id)) return;
    if (!direct && !this.#allowed()) return;
    const services = peer.remoteVersion?.services ?? 0n;
    if ((services & NODE_WITNESS) === 0n) return;
    if ((services & (NODE_NETWORK | NODE_NETWORK_LIMITED)) === 0n) return;
    const tip = chain.tipHeight;
    const limited = (services & NODE_NETWORK) === 0n;
    const peerBest = st.bestHeight >= 0 ? st.bestHeight : tip;
    const items: InvItem[] = [];
    for (
      let h = tip;
      h >= Math.max(1, tip - limits.keepBlocks + 1) && download.canRequest(peer.id);
      h--
    ) {
      if (limited && peerBest - h >= LIMITED_PEER_FETCH_DEPTH) break;
      const hash = chain.hashAt(h)!;
      const hex = hashToHex(hash);
      const held = this.#o.has(hash, hex);
      if (held && stopAtHeld) break;
      if (held || download.has(hash, hex) || st.lacks.has(hash)) continue;
      if (st.bestHeight < h && !peer.known.has(hash)) continue;
      download.request(peer.id, hash);
      items.push({ type: MSG_WITNESS_BLOCK, hash });
    }
    this.#sendGetData(st, items);
  }

  /** An orphan from `st` is held: asks it for the missing ancestor, when wanted. */
  fetchMissing(st: P, missing: Uint8Array | undefined): void {
    if (missing === undefined || !this.#wanted(missing)) return;
    if (this.download.request(st.peer.id, missing)) {
      this.#sendGetData(st, [{ type: MSG_WITNESS_BLOCK, hash: missing }]);
    }
  }

  /** `st` answered `notfound`: what it lacks goes to other peers. */
  onNotFound(st: P, items: readonly InvItem[]): void {
    let released = false;
    for (const item of items) {
      if ((item.type & ~MSG_WITNESS_FLAG) !== MSG_BLOCK) continue;
      if (this.download.release(item.hash, st.peer.id) !== undefined) {
        st.lacks.add(item.hash);
        released = true;
      }
    }
    if (released) this.fetchAll();
  }

  /** Downloads start once the initial header sync is over (or has no peer to sync from). */
  #allowed(): boolean {
    return !this.#o.stopped() && !this.#o.syncing();
  }

  /** True when the block `hash` is neither held, known invalid, in flight nor an orphan. */
  #wanted(hash: Uint8Array): boolean {
    const hex = hashToHex(hash);
    return !this.#o.has(hash, hex) && !this.download.has(hash, hex);
  }

  #sendGetData(st: P, items: InvItem[]): void {
    if (items.length === 0 || st.peer.send({ command: "getdata", items })) return;
    for (const item of items) this.download.release(item.hash, st.peer.id);
  }

  #timedOut(hash: Uint8Array, peerId: number): void {
    this.#counters.downloadTimeouts++;
    const st = this.#o.peers.get(peerId);
    st?.lacks.add(hash);
    this.#o.logger.debug("block download timed out", {
      peer: st?.peer.toString(),
      hash: hashToHex(hash),
    });
    this.fetchAll();
  }
}
