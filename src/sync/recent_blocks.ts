/**
 * Recent blocks: the serialized blocks accepted lately, held in memory in
 * front of the block store (`block_store.ts`) so the blocks peers ask an
 * edge node for most — the newest of the best chain — are served without a
 * read. Bounded by count and by bytes.
 *
 * It serves the best chain first and cannot be flushed by side branches:
 * when a bound is reached, a block off the best chain (checked at that
 * moment, so a reorg reorders them) goes before any block of it, oldest
 * first, and among best-chain blocks the lowest goes first. A newcomer that
 * would itself be the first to go is not stored. So blocks of other
 * branches only take room the best chain leaves, and blocks fetched in any
 * order (the download asks for the newest first) leave the newest in.
 */
import { hashToHex } from "../wire/bytes.ts";

/** Most blocks held: the last few, which is what peers ask an edge node for. */
export const MAX_RECENT_BLOCKS = 16;
/** Most bytes held: 64 MiB, sixteen full-weight blocks. */
export const MAX_RECENT_BLOCK_BYTES = 64 * 1024 * 1024;

/** Bounds of a cache. */
export interface RecentBlocksLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
}

/** One cached block. */
interface Entry {
  /** Wire order. */
  readonly hash: Uint8Array;
  readonly height: number;
  readonly bytes: Uint8Array;
  /** Insertion order (older first among blocks off the best chain). */
  readonly serial: number;
}

/** A bounded cache of serialized blocks that favours the top of the best chain. */
export class RecentBlocks {
  readonly #limits: RecentBlocksLimits;
  readonly #onBestChain: (hash: Uint8Array) => boolean;
  /** By display hex. */
  readonly #blocks = new Map<string, Entry>();
  #bytes = 0;
  #serial = 0;

  /**
   * An empty cache (default 16 blocks, 64 MiB). `onBestChain` tells whether
   * a block is on the best chain now (asked when choosing what goes).
   */
  constructor(
    onBestChain: (hash: Uint8Array) => boolean,
    limits: RecentBlocksLimits = { maxCount: MAX_RECENT_BLOCKS, maxBytes: MAX_RECENT_BLOCK_BYTES },
  ) {
    this.#onBestChain = onBestChain;
    this.#limits = limits;
  }

  /** Blocks held. */
  get size(): number {
    return this.#blocks.size;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Stores `bytes` (as given, not copied) of block `hash` (wire order) at
   * `height`, letting blocks go while a bound would be exceeded (see the
   * file comment for which). False when it is not stored: larger than the
   * byte bound, or the block that would go first.
   */
  put(hash: Uint8Array, height: number, bytes: Uint8Array): boolean {
    const { maxCount, maxBytes } = this.#limits;
    if (bytes.length > maxBytes || maxCount <= 0) return false;
    const key = hashToHex(hash);
    this.#drop(key);
    const entry: Entry = { hash: hash.slice(), height, bytes, serial: this.#serial++ };
    const rank = (e: Entry) => this.#rank(e);
    while (this.#blocks.size >= maxCount || this.#bytes + bytes.length > maxBytes) {
      let victim: Entry | null = null;
      let victimRank = rank(entry);
      for (const e of this.#blocks.values()) {
        const r = rank(e);
        if (r < victimRank) [victim, victimRank] = [e, r];
      }
      if (victim === null) return false;
      this.#drop(hashToHex(victim.hash));
    }
    this.#blocks.set(key, entry);
    this.#bytes += bytes.length;
    return true;
  }

  /** The block `hash`, or undefined (then the store, or `notfound`). */
  get(hash: Uint8Array): Uint8Array | undefined {
    return this.#blocks.get(hashToHex(hash))?.bytes;
  }

  /** True when `hash` is held. */
  has(hash: Uint8Array): boolean {
    return this.#blocks.has(hashToHex(hash));
  }

  /** The height `hash` was stored at, when held. */
  heightOf(hash: Uint8Array): number | undefined {
    return this.#blocks.get(hashToHex(hash))?.height;
  }

  /**
   * Lower goes first: blocks off the best chain (ranked by age, all below
   * zero) before best-chain blocks (ranked by height).
   */
  #rank(e: Entry): number {
    return this.#onBestChain(e.hash) ? e.height : e.serial - Number.MAX_SAFE_INTEGER;
  }

  #drop(key: string): void {
    const entry = this.#blocks.get(key);
    if (entry === undefined) return;
    this.#blocks.delete(key);
    this.#bytes -= entry.bytes.length;
  }
}
