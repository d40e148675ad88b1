/**
 * Serving `getdata` and `getblocktxn`: one queue per peer, answered from the
 * in-memory cache of recent blocks or, behind it, the block store on disk
 * (one read at a time, in request order). Answers go out one after another
 * while the peer's send queue is short, and serving pauses (re-checking on a
 * timer) while it is long, so a peer asking for many large blocks is paced by
 * its own reading instead of overflowing its send queue. A getdata entry not
 * held (and every non-block type: this node is blocks-only) is answered with
 * `notfound`. `MSG_BLOCK` without the witness flag gets the block stripped of
 * witness data; `MSG_CMPCT_BLOCK` and `getblocktxn` are answered as the
 * compact relay (`compact_relay.ts`) says.
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
import { DecodeError } from "../wire/errors.ts";
import type { Message } from "../wire/message.ts";
import type { GetBlockTxnMessage } from "../wire/messages/getblocktxn.ts";
import {
  type InvItem,
  MAX_INV_ENTRIES,
  MSG_BLOCK,
  MSG_CMPCT_BLOCK,
  MSG_WITNESS_BLOCK,
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
 * Requests waiting per peer: one full `getdata` (a `getblocktxn` counts as
 * one). Requests beyond it are answered `notfound` at once, a `getblocktxn`
 * dropped (Core stops reading the peer instead).
 */
export const MAX_PENDING_GETDATA = MAX_INV_ENTRIES;
/**
 * Deepest block served, counted down from our tip (0): the 288 a limited
 * node keeps plus two for races (Core ProcessGetBlockData's
 * NODE_NETWORK_LIMITED_MIN_BLOCKS + 2). A request for a deeper one
 * disconnects the peer.
 */
export const MAX_SERVE_DEPTH = NODE_NETWORK_LIMITED_MIN_BLOCKS + 2;

/** A block held for serving. */
export interface HeldBlock {
  /** Serialized with witness data. */
  readonly bytes: Uint8Array;
  /** Its height (best chain or a side branch). */
  readonly height: number;
}

/** One request waiting in a peer's queue: a getdata entry, or a whole `getblocktxn`. */
export type ServeRequest = InvItem | GetBlockTxnMessage;

/** The hash of the block `request` asks about. */
function requestHash(request: ServeRequest): Uint8Array {
  return "command" in request ? request.blockHash : request.hash;
}

/** True for the getdata types that ask for a block in some form. */
function isBlockType(type: number): boolean {
  return type === MSG_BLOCK || type === MSG_WITNESS_BLOCK || type === MSG_CMPCT_BLOCK;
}

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

/**
 * The answer to getdata entry `item` for the block `held`: the block
 * (stripped of witness data for `MSG_BLOCK`), or for `MSG_CMPCT_BLOCK` what
 * `compact` makes of it.
 */
export function answerGetData(
  item: InvItem,
  held: HeldBlock,
  compact: (hash: Uint8Array, held: HeldBlock) => Message,
): Message {
  if (item.type === MSG_CMPCT_BLOCK) return compact(item.hash, held);
  return {
    command: "block",
    raw: item.type === MSG_WITNESS_BLOCK ? held.bytes : strippedBlock(held.bytes),
  };
}

/** Where a `GetDataQueue` finds blocks. */
export interface BlockSource {
  /** Height of block `hash` when known (best chain, a side branch, the cache or the store). */
  height(hash: Uint8Array): number | undefined;
  /** Our tip's height: depths count down from it. */
  tipHeight(): number;
  /** The block (with witness) when held in memory. */
  cached(hash: Uint8Array): Uint8Array | undefined;
  /** Its read from disk when stored (resolving to undefined if it turns out unusable). */
  stored(hash: Uint8Array): Promise<Uint8Array | undefined> | undefined;
}

/** What a `GetDataQueue` needs. */
export interface GetDataQueueOptions {
  readonly peer: SyncPeer;
  readonly source: BlockSource;
  /**
   * The message answering `request` about the block `held`, or undefined: a
   * getdata entry is then answered `notfound`, a `getblocktxn` not at all
   * (as Core). May throw `DecodeError` for bytes that are no block.
   */
  readonly answer: (request: ServeRequest, held: HeldBlock) => Message | undefined;
  readonly clock: Clock;
  /** Aborting stops serving and cancels the resume timer (the peer left or the manager stopped). */
  readonly signal: AbortSignal;
  /**
   * Called for every answer sent: the block's hash, the answer's command,
   * and whether the block was read from the store.
   */
  readonly onServed: (hash: Uint8Array, command: Message["command"], fromDisk: boolean) => void;
  /** Called with the number of entries answered `notfound`. */
  readonly onNotFound: (count: number) => void;
  /** A block deeper than `MAX_SERVE_DEPTH` was asked for: the owner disconnects the peer. */
  readonly onTooDeep: (reason: string) => void;
}

/** The getdata and getblocktxn requests of one peer, served in order. */
export class GetDataQueue {
  readonly #options: GetDataQueueOptions;
  #items: ServeRequest[] = [];
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

  /** Queues a `getblocktxn` (beyond the bound: dropped) and serves what it can now. */
  addBlockTxn(msg: GetBlockTxnMessage): void {
    if (this.#ended || this.pending >= MAX_PENDING_GETDATA) return;
    this.#items.push({ ...msg, blockHash: msg.blockHash.slice() });
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
      const request = this.#items[this.#head];
      const isItem = !("command" in request);
      if (isItem && !isBlockType(request.type)) {
        missing.push(request);
        this.#head++;
        continue;
      }
      const hash = requestHash(request);
      const height = source.height(hash);
      const depth = height === undefined ? undefined : source.tipHeight() - height;
      if (isItem && depth !== undefined && depth > MAX_SERVE_DEPTH) {
        this.#notFound(missing);
        this.#end(request, depth);
        return;
      }
      this.#head++;
      if (height === undefined) {
        if (isItem) missing.push(request);
        continue;
      }
      const cached = source.cached(hash);
      if (cached !== undefined) {
        if (!this.#send(request, { bytes: cached, height }, false)) break;
        continue;
      }
      const read = source.stored(hash);
      if (read === undefined) {
        if (isItem) missing.push(request);
        continue;
      }
      this.#notFound(missing);
      this.#await(request, height, read);
      return;
    }
    this.#compact();
    this.#notFound(missing);
  }

  /** Answers `request` once the block read for it is in, then serves on. */
  #await(
    request: ServeRequest,
    height: number,
    read: Promise<Uint8Array | undefined>,
  ): void {
    this.#reading = true;
    const settle = (bytes: Uint8Array | undefined) => {
      this.#reading = false;
      if (this.#options.signal.aborted) return;
      if (bytes === undefined) {
        if (!("command" in request)) this.#notFound([request]);
      } else if (!this.#send(request, { bytes, height }, true)) return;
      this.#serve();
    };
    read.then(settle, () => settle(undefined));
  }

  /**
   * Sends the answer to `request` (bytes that do not decode, or no answer:
   * `notfound` for a getdata entry); false when the peer took nothing.
   */
  #send(request: ServeRequest, held: HeldBlock, fromDisk: boolean): boolean {
    let msg: Message | undefined;
    try {
      msg = this.#options.answer(request, held);
    } catch (error) {
      if (!(error instanceof DecodeError)) throw error;
      msg = undefined;
    }
    if (msg === undefined) {
      if (!("command" in request)) this.#notFound([request]);
      return true;
    }
    if (!this.#options.peer.send(msg)) return false;
    this.#options.onServed(requestHash(request), msg.command, fromDisk);
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
