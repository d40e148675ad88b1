/**
 * Serving `getdata`: one queue per peer, answered from the in-memory cache
 * of recent blocks or, behind it, the block store on disk (one read at a
 * time, in request order). Blocks go out one after another while the
 * peer's send queue is short, and serving pauses (re-checking on a timer)
 * while it is long, so a peer asking for many large blocks is paced by its
 * own reading instead of overflowing its send queue. Anything not held (and
 * every non-block type: this node is blocks-only) is answered with
 * `notfound`. `MSG_BLOCK` without the witness flag gets the block stripped
 * of witness data.
 *
 * Depth: like Core for a NODE_NETWORK_LIMITED node, a block more than
 * `MAX_SERVE_DEPTH` below our tip is never served, whatever we hold, and
 * the peer asking for it is disconnected (Core's ProcessGetBlockData): it
 * would otherwise wait out its download timeout for a block a limited node
 * told it not to expect (Core ignores `notfound` for blocks), and the
 * answer does not reveal how much we keep.
 */
import type { Clock } from "../platform/clock.ts";
import { decodeBlock } from "../wire/block.ts";
import { hashToHex } from "../wire/bytes.ts";
import {
  type InvItem,
  MAX_INV_ENTRIES,
  MSG_BLOCK,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_FLAG,
} from "../wire/messages/inv.ts";
import { stripWitness } from "../wire/tx.ts";
import { NODE_NETWORK_LIMITED_MIN_BLOCKS } from "./block_store.ts";
import type { SyncPeer } from "./sync_peer.ts";

/**
 * Bytes waiting in a peer's send queue above which serving pauses: with one
 * more block of at most 4 MB it stays under the 10 MiB send-queue bound.
 */
export const GETDATA_PAUSE_BYTES = 4 * 1024 * 1024;
/** How often a paused queue re-checks the peer's send queue. */
export const GETDATA_RESUME_MS = 50;
/** Served entries after which the queue array is compacted (keeps `add` amortised O(1)). */
const COMPACT_AFTER = 1024;
/**
 * Requests waiting per peer: one full `getdata`. Requests beyond it are
 * answered `notfound` at once (Core stops reading the peer instead).
 */
export const MAX_PENDING_GETDATA = MAX_INV_ENTRIES;
/**
 * Deepest block served, counted down from our tip (0): the 288 a limited
 * node keeps plus two for races (Core ProcessGetBlockData's
 * NODE_NETWORK_LIMITED_MIN_BLOCKS + 2). A request for a deeper one
 * disconnects the peer.
 */
export const MAX_SERVE_DEPTH = NODE_NETWORK_LIMITED_MIN_BLOCKS + 2;

/** The block in `bytes` serialized without witness data (`bytes` itself when it has none). */
export function strippedBlock(bytes: Uint8Array): Uint8Array {
  const block = decodeBlock(bytes);
  if (block.segwitTxCount === 0) return bytes;
  const { txCount, txOffsets, witnessOffsets } = block;
  const out = new Uint8Array(block.strippedSize);
  out.set(bytes.subarray(0, txOffsets[0]));
  let at = txOffsets[0];
  for (let i = 0; i < txCount; i++) {
    const start = txOffsets[i];
    const end = txOffsets[i + 1];
    const witness = witnessOffsets[i];
    if (witness === 0) {
      out.set(bytes.subarray(start, end), at);
      at += end - start;
    } else {
      at += stripWitness(bytes, start, witness, end, out.subarray(at));
    }
  }
  return out;
}

/** Where a `GetDataQueue` finds blocks. */
export interface BlockSource {
  /** Blocks between our tip and block `hash` (0: the tip), when its height is known. */
  depth(hash: Uint8Array): number | undefined;
  /** The block (with witness) when held in memory. */
  cached(hash: Uint8Array): Uint8Array | undefined;
  /** Its read from disk when stored (resolving to undefined if it turns out unusable). */
  stored(hash: Uint8Array): Promise<Uint8Array | undefined> | undefined;
}

/** What a `GetDataQueue` needs. */
export interface GetDataQueueOptions {
  readonly peer: SyncPeer;
  readonly source: BlockSource;
  readonly clock: Clock;
  /** Aborting stops serving and cancels the resume timer (the peer left or the manager stopped). */
  readonly signal: AbortSignal;
  /** Called for every block sent; `fromDisk` when it was read from the store. */
  readonly onServed: (hash: Uint8Array, fromDisk: boolean) => void;
  /** Called with the number of entries answered `notfound`. */
  readonly onNotFound: (count: number) => void;
  /** A block deeper than `MAX_SERVE_DEPTH` was asked for: the owner disconnects the peer. */
  readonly onTooDeep: (reason: string) => void;
}

/** The getdata requests of one peer, served in order. */
export class GetDataQueue {
  readonly #options: GetDataQueueOptions;
  #items: InvItem[] = [];
  #head = 0;
  #cancelResume: (() => void) | null = null;
  /** A read from the store is in flight: serving continues when it settles. */
  #reading = false;
  /** A too-deep request was made: nothing more is served. */
  #ended = false;

  constructor(options: GetDataQueueOptions) {
    this.#options = options;
  }

  /** Requests waiting. */
  get pending(): number {
    return this.#items.length - this.#head;
  }

  /** Queues `items` (beyond the bound: `notfound` at once) and serves what it can now. */
  add(items: readonly InvItem[]): void {
    if (this.#ended) return;
    const room = Math.max(0, MAX_PENDING_GETDATA - this.pending);
    for (let i = 0; i < items.length && i < room; i++) {
      this.#items.push({ type: items[i].type, hash: items[i].hash.slice() });
    }
    if (items.length > room) this.#notFound(items.slice(room));
    this.#serve();
  }

  #serve(): void {
    const { peer, source, clock, signal } = this.#options;
    if (this.#reading || this.#ended || signal.aborted) return;
    const missing: InvItem[] = [];
    while (this.#head < this.#items.length) {
      if (peer.queuedBytes >= GETDATA_PAUSE_BYTES) {
        this.#cancelResume ??= clock.setTimer(GETDATA_RESUME_MS, () => {
          this.#cancelResume = null;
          this.#serve();
        }, signal);
        break;
      }
      const item = this.#items[this.#head];
      if ((item.type & ~MSG_WITNESS_FLAG) !== MSG_BLOCK) {
        missing.push(item);
        this.#head++;
        continue;
      }
      const depth = source.depth(item.hash);
      if (depth !== undefined && depth > MAX_SERVE_DEPTH) {
        this.#notFound(missing);
        this.#end(item, depth);
        return;
      }
      this.#head++;
      const cached = source.cached(item.hash);
      if (cached !== undefined) {
        if (!this.#send(item, cached, false)) break;
        continue;
      }
      const read = source.stored(item.hash);
      if (read === undefined) {
        missing.push(item);
        continue;
      }
      this.#notFound(missing);
      this.#await(item, read);
      return;
    }
    this.#compact();
    this.#notFound(missing);
  }

  /** Sends the block read for `item` once it is in, then serves on. */
  #await(item: InvItem, read: Promise<Uint8Array | undefined>): void {
    this.#reading = true;
    const settle = (bytes: Uint8Array | undefined) => {
      this.#reading = false;
      if (this.#options.signal.aborted) return;
      if (bytes === undefined) this.#notFound([item]);
      else if (!this.#send(item, bytes, true)) return;
      this.#serve();
    };
    read.then(settle, () => settle(undefined));
  }

  /**
   * Sends one block as asked (stripped for `MSG_BLOCK`; bytes that do not
   * decode get `notfound`); false when the peer took nothing.
   */
  #send(item: InvItem, bytes: Uint8Array, fromDisk: boolean): boolean {
    let raw = bytes;
    if (item.type !== MSG_WITNESS_BLOCK) {
      try {
        raw = strippedBlock(bytes);
      } catch {
        this.#notFound([item]);
        return true;
      }
    }
    if (!this.#options.peer.send({ command: "block", raw })) return false;
    this.#options.onServed(item.hash, fromDisk);
    return true;
  }

  /** Stops serving for good after a request `depth` deep. */
  #end(item: InvItem, depth: number): void {
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
    this.#cancelResume?.();
    this.#options.onTooDeep(
      `getdata for block ${hashToHex(item.hash)} ${depth} deep; ` +
        `a limited node serves ${MAX_SERVE_DEPTH} at most`,
    );
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  #notFound(items: readonly InvItem[]): void {
    if (items.length === 0) return;
    this.#options.peer.send({ command: "notfound", items });
    this.#options.onNotFound(items.length);
  }
}
