/**
 * Accepted blocks remembered, newest last and bounded: the hash, height,
 * size, when and from whom it came and whom it was announced to. The block
 * manager asks it whether a block is a duplicate and when a relayed block
 * was accepted (the relay latency); the API lists the newest. The bytes
 * themselves live in the `RecentBlocks` cache, which forgets sooner.
 */
import { hashToHex } from "../wire/bytes.ts";

/** Accepted blocks remembered (hash, height, sender, relay targets) for duplicates and the API. */
export const MAX_BLOCK_RECORDS = 1_024;

/** One accepted block, as the API lists it. */
export interface RecentBlockView {
  /** Display order hex. */
  readonly hash: string;
  readonly height: number;
  readonly size: number;
  /** Unix ms. */
  readonly receivedAt: number;
  /** The sender's string form (absent: injected locally). */
  readonly from?: string;
  /** The peers it was announced to (string forms). */
  readonly relayedTo: readonly string[];
  /** True while the block's bytes are in the cache (getdata is served). */
  readonly cached: boolean;
}

/** What is remembered of an accepted block. */
export interface BlockRecord {
  /** Wire order. */
  readonly hash: Uint8Array;
  readonly height: number;
  /** Serialized size in bytes. */
  readonly size: number;
  /** Clock time of acceptance, Unix ms. */
  readonly receivedAt: number;
  /** The sender's string form; absent for a block injected without a peer. */
  readonly from?: string;
}

/** The accepted-block records, oldest first. */
export class BlockRecords {
  readonly #limit: number;
  /** By display hex, oldest first. */
  readonly #records = new Map<string, BlockRecord & { readonly relayedTo: string[] }>();

  /** Keeps at most `limit` records (the oldest go first). */
  constructor(limit: number = MAX_BLOCK_RECORDS) {
    this.#limit = limit;
  }

  /** Records kept. */
  get size(): number {
    return this.#records.size;
  }

  /**
   * True when block `hash` (wire order) was accepted and is still remembered.
   * `hex`: the same hash in display hex, when the caller has it already.
   */
  has(hash: Uint8Array, hex = hashToHex(hash)): boolean {
    return this.#records.has(hex);
  }

  /** The height of block `hex` (display order), when remembered. */
  heightOf(hex: string): number | undefined {
    return this.#records.get(hex)?.height;
  }

  /** Remembers an accepted block, forgetting the oldest beyond the limit. */
  add(record: BlockRecord): void {
    this.#records.set(hashToHex(record.hash), { ...record, relayedTo: [] });
    while (this.#records.size > this.#limit) {
      this.#records.delete(this.#records.keys().next().value as string);
    }
  }

  /**
   * Notes that block `hex` was announced to `to`; returns when it was
   * accepted (Unix ms), or undefined when it is not remembered.
   */
  relayed(hex: string, to: readonly string[]): number | undefined {
    const record = this.#records.get(hex);
    record?.relayedTo.push(...to);
    return record?.receivedAt;
  }

  /** The newest records first, at most `limit`; `cached` says whose bytes are still held. */
  newest(limit: number, cached: (hash: Uint8Array) => boolean): RecentBlockView[] {
    const out: RecentBlockView[] = [];
    const records = [...this.#records.values()];
    for (let i = records.length - 1; i >= 0 && out.length < limit; i--) {
      const r = records[i];
      out.push({
        hash: hashToHex(r.hash),
        height: r.height,
        size: r.size,
        receivedAt: r.receivedAt,
        ...(r.from === undefined ? {} : { from: r.from }),
        relayedTo: [...r.relayedTo],
        cached: cached(r.hash),
      });
    }
    return out;
  }
}
