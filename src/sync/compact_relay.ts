/**
 * Compact block relay (BIP152, version 2 only) as Core does it with
 * `-blocksonly`: we serve compact blocks and never ask for them, since
 * without a mempool we could fill in none of a compact block's
 * transactions.
 *
 * - After the handshake, a peer at protocol `SHORT_IDS_BLOCKS_VERSION` or
 *   later is sent `sendcmpct(0, 2)`: we can serve version-2 compact blocks
 *   and want no `cmpctblock` announcements ourselves.
 * - A peer's `sendcmpct(1, 2)` asks us to push new blocks to it as
 *   `cmpctblock` (high-bandwidth mode). At most `MAX_HB_PEERS` get it at
 *   once, chosen the way Core chooses its own high-bandwidth peers
 *   (`MaybeSetPeerAsAnnouncingHeaderAndIDs`): the newest request goes in,
 *   the oldest goes out, except that an inbound peer never displaces the
 *   last outbound one; a peer turned away or displaced is kept waiting and
 *   takes the next free slot (the latest request first), since a peer that
 *   asked once does not ask again. Core itself pushes to every peer that
 *   asks; the bound is ours (upload per block stays bounded).
 * - A new best block is pushed to those peers as soon as it passes the
 *   header, merkle and witness-commitment checks, before it is recorded,
 *   logged or announced to anyone else (Core's `NewPoWValidBlock`): once per
 *   height, only where segwit is active, only to a peer that has its parent
 *   and not the block (never its sender), at protocol
 *   `INVALID_CB_NO_BAN_VERSION` or later. The short ids use the wtxids the
 *   witness-commitment check hashed; the nonce comes from the `Random`
 *   port.
 * - `getdata(MSG_CMPCT_BLOCK)`: a `cmpctblock` for a block within
 *   `MAX_CMPCTBLOCK_DEPTH` of the tip, the full block deeper (Core; Core
 *   also sends the full block while its own tip is old, which an edge node
 *   following headers has no notion of).
 * - `getblocktxn`: a `blocktxn` within `MAX_BLOCKTXN_DEPTH`, the full block
 *   deeper (Core: cheaper for us than a peer aiming many small requests at
 *   old blocks); nothing for a block not held; an index past the block's
 *   last transaction costs what `penalties.ts` says and gets no answer.
 *
 * A received `cmpctblock` is an announcement of its header (the block
 * manager hands the header to the header intake and downloads the block as
 * for any announcement); a `blocktxn` is never asked for, so it is ignored.
 */
import type { Logger } from "../log/logger.ts";
import type { Sha256 } from "../platform/hash.ts";
import type { Random } from "../platform/random.ts";
import { type Block, blockTx, blockWtxids, decodeBlock } from "../wire/block.ts";
import { bytesEqual } from "../wire/bytes.ts";
import { buildCmpctBlock } from "../wire/compact_block.ts";
import type { Message } from "../wire/message.ts";
import type { CmpctBlockMessage } from "../wire/messages/cmpctblock.ts";
import type { GetBlockTxnMessage } from "../wire/messages/getblocktxn.ts";
import type { SendCmpctMessage } from "../wire/messages/sendcmpct.ts";
import type { BlockAcceptResult } from "./block_accept.ts";
import type { HeldBlock } from "./block_serve.ts";
import type { HeaderChain } from "./header_chain.ts";
import { penaltyPoints } from "./penalties.ts";
import type { SyncPeer } from "./sync_peer.ts";

/** The only compact block version spoken: short ids over wtxids. Core CMPCTBLOCKS_VERSION. */
export const CMPCTBLOCKS_VERSION = 2n;
/** Protocol version from which `sendcmpct` is understood. Core SHORT_IDS_BLOCKS_VERSION. */
export const SHORT_IDS_BLOCKS_VERSION = 70014;
/**
 * Protocol version from which a peer does not punish a pushed compact block
 * that later fails validation: new blocks are pushed only to such peers.
 * Core INVALID_CB_NO_BAN_VERSION.
 */
export const INVALID_CB_NO_BAN_VERSION = 70015;
/** Peers at once that get new blocks pushed as `cmpctblock` (BIP152 suggests 3). */
export const MAX_HB_PEERS = 3;
/** Deepest block served as `cmpctblock`; deeper ones go whole. Core MAX_CMPCTBLOCK_DEPTH. */
export const MAX_CMPCTBLOCK_DEPTH = 5;
/** Deepest block served by `blocktxn`; deeper ones go whole. Core MAX_BLOCKTXN_DEPTH. */
export const MAX_BLOCKTXN_DEPTH = 10;

/** A block accepted at the tip, as acceptance describes it. */
export type NewTipBlock = Extract<BlockAcceptResult, { status: "accepted" }>;

/** What a `CompactRelay` needs. */
export interface CompactRelayOptions {
  readonly chain: HeaderChain;
  readonly sha256: Sha256;
  /** Compact block nonces. */
  readonly random: Random;
  readonly logger: Logger;
  /** The highest best-chain height `peer` showed us it has (−1 when none). */
  readonly bestHeight: (peer: SyncPeer) => number;
}

/** Running totals. */
export interface CompactRelayCounters {
  /** `cmpctblock` messages pushed to high-bandwidth peers. */
  readonly compactPushed: number;
  /** `cmpctblock` messages sent for `getdata(MSG_CMPCT_BLOCK)`. */
  readonly compactServed: number;
  /** `blocktxn` messages sent. */
  readonly blockTxnServed: number;
}

/** What is kept of one peer. */
interface CompactPeer {
  readonly peer: SyncPeer;
  /** Order of its latest `sendcmpct(1, 2)`; 0 when it asked for none or asked to stop. */
  hbRequest: number;
}

/** The compact block last built, reused while the same block is asked for. */
interface BuiltCompact {
  readonly hash: Uint8Array;
  readonly block: Block;
  readonly msg: CmpctBlockMessage;
}

/** BIP152 on the serving side: negotiation, high-bandwidth pushes, cmpctblock and blocktxn. */
export class CompactRelay {
  readonly #o: CompactRelayOptions;
  readonly #peers = new Map<number, CompactPeer>();
  /** The high-bandwidth peers, in the order they took their slots. */
  #hb: CompactPeer[] = [];
  #requests = 0;
  /** Height of the last block pushed (Core m_highest_fast_announce). */
  #highestPushed = -1;
  #built: BuiltCompact | null = null;
  readonly #counters = { compactPushed: 0, compactServed: 0, blockTxnServed: 0 };

  constructor(options: CompactRelayOptions) {
    this.#o = options;
  }

  /** Running totals. */
  get counters(): CompactRelayCounters {
    return { ...this.#counters };
  }

  /** The peers new blocks are pushed to (string forms), in the order they took their slots. */
  get highBandwidthPeers(): string[] {
    return this.#hb.map((c) => c.peer.toString());
  }

  /** A peer joined: it learns we serve version-2 compact blocks. */
  peerAdded(peer: SyncPeer): void {
    this.#peers.set(peer.id, { peer, hbRequest: 0 });
    if (peer.negotiatedVersion >= SHORT_IDS_BLOCKS_VERSION) {
      peer.send({ command: "sendcmpct", announce: 0, version: CMPCTBLOCKS_VERSION });
    }
  }

  /** A peer left: its high-bandwidth slot goes to the latest waiting request. */
  peerRemoved(id: number): void {
    const c = this.#peers.get(id);
    if (c === undefined) return;
    this.#peers.delete(id);
    if (this.#drop(c)) this.#fill();
  }

  /** A `sendcmpct` from `peer`. */
  onSendCmpct(peer: SyncPeer, msg: SendCmpctMessage): void {
    const c = this.#peers.get(peer.id);
    if (c === undefined || c.peer !== peer) return;
    if (msg.announce > 1) {
      peer.misbehave(penaltyPoints("sendcmpct-announce"), `sendcmpct announce ${msg.announce}`);
      return;
    }
    if (msg.version !== CMPCTBLOCKS_VERSION) return;
    if (msg.announce === 1) {
      c.hbRequest = ++this.#requests;
      this.#choose(c);
    } else {
      c.hbRequest = 0;
      if (this.#drop(c)) this.#fill();
    }
  }

  /**
   * Pushes the new best block `tip` (its sender: `from`) as `cmpctblock`
   * to the high-bandwidth peers that have its parent and not it; returns
   * the peers it went to (each now known to have it).
   */
  pushNewTip(tip: NewTipBlock, from: SyncPeer | undefined): SyncPeer[] {
    const { hash, height, block } = tip;
    if (height <= this.#highestPushed) return [];
    this.#highestPushed = height;
    if (height < this.#o.chain.params.segwitHeight) return [];
    const to: SyncPeer[] = [];
    let msg: CmpctBlockMessage | undefined;
    for (const { peer } of this.#hb) {
      if (peer === from || peer.id === from?.id) continue;
      if (peer.negotiatedVersion < INVALID_CB_NO_BAN_VERSION || peer.known.has(hash)) continue;
      // It has the parent: it told us, we told it, or it is genesis (every peer has that).
      const hasParent = peer.known.has(block.header.prevBlock) ||
        Math.max(0, this.#o.bestHeight(peer)) >= height - 1;
      if (!hasParent) continue;
      msg ??= this.#build(hash, block, tip.wtxids ?? blockWtxids(this.#o.sha256, block, tip.txids))
        .msg;
      if (!peer.send(msg)) continue;
      peer.known.add(hash);
      to.push(peer);
    }
    this.#counters.compactPushed += to.length;
    return to;
  }

  /** The answer to `getdata(MSG_CMPCT_BLOCK)` for the held block `hash`. */
  answerCmpctBlock(hash: Uint8Array, held: HeldBlock): Message {
    if (held.height < this.#o.chain.tipHeight - MAX_CMPCTBLOCK_DEPTH) {
      return { command: "block", raw: held.bytes };
    }
    this.#counters.compactServed++;
    return this.#builtFor(hash, held).msg;
  }

  /**
   * The answer to `msg` from `peer` about the block `held`: `blocktxn`, the
   * full block, or nothing.
   */
  answerGetBlockTxn(peer: SyncPeer, msg: GetBlockTxnMessage, held: HeldBlock): Message | undefined {
    const hash = msg.blockHash;
    if (held.height < this.#o.chain.tipHeight - MAX_BLOCKTXN_DEPTH) {
      return { command: "block", raw: held.bytes };
    }
    const { block } = this.#builtFor(hash, held);
    const { indexes } = msg;
    const txs: Uint8Array[] = new Array(indexes.length);
    for (let i = 0; i < indexes.length; i++) {
      if (indexes[i] >= block.txCount) {
        peer.misbehave(
          penaltyPoints("getblocktxn-out-of-bounds"),
          `getblocktxn index ${indexes[i]} in a block of ${block.txCount} transactions`,
        );
        return undefined;
      }
      txs[i] = blockTx(block, indexes[i]);
    }
    this.#counters.blockTxnServed++;
    return { command: "blocktxn", blockHash: hash, txs };
  }

  /** The compact block of `hash`: the one built last when it is that block, else built now. */
  #builtFor(hash: Uint8Array, held: HeldBlock): BuiltCompact {
    if (this.#built !== null && bytesEqual(this.#built.hash, hash)) return this.#built;
    const block = decodeBlock(held.bytes);
    return this.#build(hash, block, blockWtxids(this.#o.sha256, block));
  }

  #build(hash: Uint8Array, block: Block, wtxids: Uint8Array): BuiltCompact {
    if (this.#built !== null && bytesEqual(this.#built.hash, hash)) return this.#built;
    const nonce = new DataView(this.#o.random.bytes(8).buffer).getBigUint64(0, true);
    const msg = buildCmpctBlock(this.#o.sha256, block, nonce, wtxids);
    return this.#built = { hash: hash.slice(), block, msg };
  }

  /** `c` asked for high-bandwidth mode: it takes a slot (Core's order of replacement). */
  #choose(c: CompactPeer): void {
    const hb = this.#hb;
    const at = hb.indexOf(c);
    if (at >= 0) {
      hb.splice(at, 1);
      hb.push(c);
      return;
    }
    if (c.peer.direction === "inbound" && hb.length >= MAX_HB_PEERS) {
      const outbound = hb.filter((h) => h.peer.direction === "outbound");
      // Keep the last outbound one: it must not be the one to go.
      if (outbound.length === 1 && hb[0] === outbound[0]) [hb[0], hb[1]] = [hb[1], hb[0]];
    }
    hb.push(c);
    if (hb.length > MAX_HB_PEERS) {
      const out = hb.shift()!;
      this.#o.logger.debug("high-bandwidth compact peer displaced", { peer: out.peer.toString() });
    }
  }

  /** Takes `c` out of the high-bandwidth slots; true when it held one. */
  #drop(c: CompactPeer): boolean {
    const at = this.#hb.indexOf(c);
    if (at < 0) return false;
    this.#hb.splice(at, 1);
    return true;
  }

  /** Gives free slots to the waiting requests, the latest first. */
  #fill(): void {
    while (this.#hb.length < MAX_HB_PEERS) {
      let next: CompactPeer | undefined;
      for (const c of this.#peers.values()) {
        if (c.hbRequest > (next?.hbRequest ?? 0) && !this.#hb.includes(c)) next = c;
      }
      if (next === undefined) return;
      this.#hb.push(next);
    }
  }
}
