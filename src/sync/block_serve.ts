/**
 * Serving `getdata` and `getblocktxn`: one queue per peer, answered from the
 * blocks held (one lookup, `BlockLookup`). Requests are answered one after
 * another while the peer's send queue is short, and serving pauses
 * (re-checking on a timer) while it is long, so a peer asking for many
 * large blocks is paced by its own reading instead of overflowing its send
 * queue. A getdata entry not held (and every non-block type: this node is
 * blocks-only) is answered with `notfound`. `MSG_BLOCK` without the witness
 * flag gets the block stripped of witness data; `MSG_CMPCT_BLOCK` and
 * `getblocktxn` are answered as the compact relay (`compact_relay.ts`) says.
 */
import type { Clock } from "../platform/clock.ts";
import { decodeBlock } from "../wire/block.ts";
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

/** A block held for serving. */
export interface HeldBlock {
  /** Serialized with witness data. */
  readonly bytes: Uint8Array;
  /** Its height (best chain or a side branch). */
  readonly height: number;
}

/**
 * The one way serving reaches block bytes: the block `hash` (wire order)
 * when held, else undefined.
 */
export type BlockLookup = (hash: Uint8Array) => HeldBlock | undefined;

/** One request waiting in a peer's queue: a getdata entry, or a whole `getblocktxn`. */
export type ServeRequest = InvItem | GetBlockTxnMessage;

/** The hash of the block `request` asks about. */
function requestHash(request: ServeRequest): Uint8Array {
  return "command" in request ? request.blockHash : request.hash;
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
 * The answer to getdata entry `item`: the held block (stripped of witness
 * data for `MSG_BLOCK`), or for `MSG_CMPCT_BLOCK` what `compact` makes of
 * it; undefined (`notfound`) when the block is not held or the type is not
 * a block.
 */
export function answerGetData(
  item: InvItem,
  lookup: BlockLookup,
  compact: (hash: Uint8Array, held: HeldBlock) => Message,
): Message | undefined {
  const { type, hash } = item;
  if (type !== MSG_BLOCK && type !== MSG_WITNESS_BLOCK && type !== MSG_CMPCT_BLOCK) {
    return undefined;
  }
  const held = lookup(hash);
  if (held === undefined) return undefined;
  if (type === MSG_CMPCT_BLOCK) return compact(hash, held);
  return {
    command: "block",
    raw: type === MSG_WITNESS_BLOCK ? held.bytes : strippedBlock(held.bytes),
  };
}

/** What a `GetDataQueue` needs. */
export interface GetDataQueueOptions {
  readonly peer: SyncPeer;
  /**
   * The message answering `request`, or undefined: a getdata entry is then
   * answered `notfound`, a `getblocktxn` not at all (as Core).
   */
  readonly answer: (request: ServeRequest) => Message | undefined;
  readonly clock: Clock;
  /** Aborting cancels the resume timer (the peer left or the manager stopped). */
  readonly signal: AbortSignal;
  /** Called for every answer sent: the block's hash and the answer's command. */
  readonly onServed: (hash: Uint8Array, command: Message["command"]) => void;
  /** Called with the number of entries answered `notfound`. */
  readonly onNotFound: (count: number) => void;
}

/** The getdata and getblocktxn requests of one peer, served in order. */
export class GetDataQueue {
  readonly #options: GetDataQueueOptions;
  #items: ServeRequest[] = [];
  #head = 0;
  #cancelResume: (() => void) | null = null;

  constructor(options: GetDataQueueOptions) {
    this.#options = options;
  }

  /** Requests waiting. */
  get pending(): number {
    return this.#items.length - this.#head;
  }

  /** Queues `items` (beyond the bound: `notfound` at once) and serves what it can now. */
  add(items: readonly InvItem[]): void {
    const room = Math.max(0, MAX_PENDING_GETDATA - this.pending);
    for (let i = 0; i < items.length && i < room; i++) {
      this.#items.push({ type: items[i].type, hash: items[i].hash.slice() });
    }
    if (items.length > room) this.#notFound(items.slice(room));
    this.#serve();
  }

  /** Queues a `getblocktxn` (beyond the bound: dropped) and serves what it can now. */
  addBlockTxn(msg: GetBlockTxnMessage): void {
    if (this.pending >= MAX_PENDING_GETDATA) return;
    this.#items.push({ ...msg, blockHash: msg.blockHash.slice() });
    this.#serve();
  }

  #serve(): void {
    const { peer, answer, clock, signal, onServed } = this.#options;
    const missing: InvItem[] = [];
    while (this.#head < this.#items.length) {
      if (peer.queuedBytes >= GETDATA_PAUSE_BYTES) {
        this.#cancelResume ??= clock.setTimer(GETDATA_RESUME_MS, () => {
          this.#cancelResume = null;
          this.#serve();
        }, signal);
        break;
      }
      const request = this.#items[this.#head++];
      const msg = answer(request);
      if (msg === undefined) {
        if (!("command" in request)) missing.push(request);
        continue;
      }
      if (!peer.send(msg)) break;
      onServed(requestHash(request), msg.command);
    }
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    this.#notFound(missing);
  }

  #notFound(items: readonly InvItem[]): void {
    if (items.length === 0) return;
    this.#options.peer.send({ command: "notfound", items });
    this.#options.onNotFound(items.length);
  }
}
