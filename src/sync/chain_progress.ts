/**
 * The chain's progress as the connection manager's eviction rules read it
 * (the block side of its `ChainView`): our tip and when it last changed,
 * what each peer has shown of its chain (`peer_chain.ts`: its best known
 * header, its last tip-moving announcement, its last novel block), whether
 * header sync started with a peer, blocks in flight, and the `getheaders`
 * of a chain-sync check. After each message the block manager handles (and
 * each block submitted locally) it notes what the message showed and
 * reports a "chain" event when our tip or a peer's best header moved.
 */
import type { Clock } from "../platform/clock.ts";
import type { Sha256 } from "../platform/hash.ts";
import { BLOCK_HEADER_SIZE, blockHeaderHash, encodeBlockHeader } from "../wire/block_header.ts";
import type { Message } from "../wire/message.ts";
import { MSG_BLOCK, MSG_WITNESS_FLAG } from "../wire/messages/inv.ts";
import type { BlockDownload } from "./block_download.ts";
import type { ChainProgressEvent } from "./block_events.ts";
import type { HeaderChain } from "./header_chain.ts";
import type { HeaderPeer } from "./header_intake.ts";
import type { PeerChain, PeerChainView } from "./peer_chain.ts";

/** What progress reads of the block manager's state of one peer. */
export interface ProgressPeer extends HeaderPeer {
  /** Its best header, announcements and novel blocks. */
  readonly chain: PeerChain;
}

/** What a `ChainProgress` needs. */
export interface ChainProgressOptions {
  readonly chain: HeaderChain;
  readonly sha256: Sha256;
  readonly clock: Clock;
  /** The connected peers by id (the manager's own map, read only). */
  readonly peers: ReadonlyMap<number, ProgressPeer>;
  /** The blocks in flight. */
  readonly download: BlockDownload;
  /** True when header sync may ask `p` (the header intake's `mayAsk`). */
  readonly mayAsk: (p: HeaderPeer) => boolean;
  /** Our tip or a peer's best header moved (the manager's "chain" event). */
  readonly onMoved: (event: ChainProgressEvent) => void;
}

/** Notes the chain's progress per message, and answers the connection manager's reads. */
export class ChainProgress {
  readonly #o: ChainProgressOptions;
  /** Clock time our best tip last changed (the start until it does). */
  #tipChangedAt = 0;

  constructor(options: ChainProgressOptions) {
    this.#o = options;
  }

  /** The manager started: the tip's age counts from now until it changes. */
  start(): void {
    this.#tipChangedAt = this.#o.clock.now();
  }

  /**
   * After a message from `st` (or a local block): notes which blocks the
   * peer has shown it has, whether the tip moved from `tipWork` (and whether
   * its headers or block moved it), and reports when anything did.
   */
  note(st: ProgressPeer | undefined, msg: Message | undefined, tipWork: bigint): void {
    const shown = st !== undefined && msg !== undefined && this.#shown(st.chain, msg);
    const tipChanged = this.#o.chain.tipWork !== tipWork;
    if (tipChanged) {
      this.#tipChangedAt = this.#o.clock.now();
      if (st !== undefined && (msg?.command === "headers" || msg?.command === "block")) {
        st.chain.lastAnnouncementAt = this.#tipChangedAt;
      }
    }
    if (shown || tipChanged) this.#o.onMoved({ peerId: st?.peer.id ?? null, tipChanged });
  }

  /** What we know of peer `id`'s chain; undefined when it is not one of our peers. */
  peerChain(id: number): PeerChainView | undefined {
    return this.#o.peers.get(id)?.chain;
  }

  /**
   * True once header sync has started with peer `id` (Core's fSyncStarted):
   * while the initial sync runs, only with the sync peer.
   */
  syncStarted(id: number): boolean {
    const st = this.#o.peers.get(id);
    return st !== undefined && this.#o.mayAsk(st);
  }

  /** Our best chain's total work, tip hash (wire order, a copy) and tip header time (Unix s). */
  tip(): { work: bigint; hash: Uint8Array; time: number } {
    const { work, hash, time } = this.#o.chain.tip();
    return { work, hash, time };
  }

  /** Clock time (ms) our best tip last changed; the start time until it does. */
  lastTipChangeAt(): number {
    return this.#tipChangedAt;
  }

  /** Blocks in flight from peer `id`, or from every peer. */
  blocksInFlight(id?: number): number {
    const download = this.#o.download;
    return id === undefined ? download.size : download.countFor(id);
  }

  /**
   * Asks peer `id` for the headers after the parent of header `hash`, so
   * that a peer holding `hash` answers with it at least (Core asks from the
   * work header's parent when it checks an outbound peer's chain). Not sent
   * while a request to it is outstanding. True when sent.
   */
  requestHeadersFrom(id: number, hash: Uint8Array): boolean {
    const st = this.#o.peers.get(id);
    const raw = this.#o.chain.header(hash);
    if (st === undefined || raw === undefined) return false;
    return st.headers.request(raw.subarray(4, 36));
  }

  /** True when `msg` showed a better header the peer has than its best so far. */
  #shown(peer: PeerChain, msg: Message): boolean {
    const { chain, sha256 } = this.#o;
    switch (msg.command) {
      case "headers": {
        if (msg.headers.length === 0) return false;
        const last = encodeBlockHeader(msg.headers[msg.headers.length - 1]);
        return peer.noteHas(chain, blockHeaderHash(sha256, last));
      }
      case "inv": {
        let shown = false;
        for (const item of msg.items) {
          if ((item.type & ~MSG_WITNESS_FLAG) !== MSG_BLOCK) continue;
          if (peer.noteHas(chain, item.hash)) shown = true;
        }
        return shown;
      }
      case "block":
        return msg.raw.length >= BLOCK_HEADER_SIZE &&
          peer.noteHas(chain, blockHeaderHash(sha256, msg.raw));
      default:
        return false;
    }
  }
}
