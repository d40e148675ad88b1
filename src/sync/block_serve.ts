/**
 * Serving `getdata`: one queue per peer, answered from the recent-blocks
 * cache. Blocks go out one after another while the peer's send queue is
 * short, and serving pauses (re-checking on a timer) while it is long, so a
 * peer asking for many large blocks is paced by its own reading instead of
 * overflowing its send queue. Anything not held (and every non-block type:
 * this node is blocks-only) is answered with `notfound`. `MSG_BLOCK`
 * without the witness flag gets the block stripped of witness data.
 */
import type { Clock } from "../platform/clock.ts";
import { decodeBlock } from "../wire/block.ts";
import {
  type InvItem,
  MAX_INV_ENTRIES,
  MSG_BLOCK,
  MSG_WITNESS_BLOCK,
  MSG_WITNESS_FLAG,
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
 * Requests waiting per peer: one full `getdata`. Requests beyond it are
 * answered `notfound` at once (Core stops reading the peer instead).
 */
export const MAX_PENDING_GETDATA = MAX_INV_ENTRIES;

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

/** What a `GetDataQueue` needs. */
export interface GetDataQueueOptions {
  readonly peer: SyncPeer;
  /** The serialized block (with witness) when held. */
  readonly lookup: (hash: Uint8Array) => Uint8Array | undefined;
  readonly clock: Clock;
  /** Aborting cancels the resume timer (the peer left or the manager stopped). */
  readonly signal: AbortSignal;
  /** Called for every block sent. */
  readonly onServed: (hash: Uint8Array) => void;
  /** Called with the number of entries answered `notfound`. */
  readonly onNotFound: (count: number) => void;
}

/** The getdata requests of one peer, served in order. */
export class GetDataQueue {
  readonly #options: GetDataQueueOptions;
  #items: InvItem[] = [];
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

  #serve(): void {
    const { peer, lookup, clock, signal, onServed } = this.#options;
    const missing: InvItem[] = [];
    while (this.#head < this.#items.length) {
      if (peer.queuedBytes >= GETDATA_PAUSE_BYTES) {
        this.#cancelResume ??= clock.setTimer(GETDATA_RESUME_MS, () => {
          this.#cancelResume = null;
          this.#serve();
        }, signal);
        break;
      }
      const item = this.#items[this.#head++];
      const base = item.type & ~MSG_WITNESS_FLAG;
      const bytes = base === MSG_BLOCK ? lookup(item.hash) : undefined;
      if (bytes === undefined) {
        missing.push(item);
        continue;
      }
      const raw = item.type === MSG_WITNESS_BLOCK ? bytes : strippedBlock(bytes);
      if (!peer.send({ command: "block", raw })) break;
      onServed(item.hash);
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
