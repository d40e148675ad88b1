/**
 * Recent blocks: the serialized blocks we accepted lately, kept so `getdata`
 * for them can be served (anything not held is answered with `notfound`).
 * Bounded by count and by bytes; least recently used goes first.
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

/** A bounded most-recently-used cache of serialized blocks, keyed by hash. */
export class RecentBlocks {
  readonly #limits: RecentBlocksLimits;
  /** Map order is use order: the first entry is the least recently used. */
  readonly #blocks = new Map<string, Uint8Array>();
  #bytes = 0;

  /** An empty cache (default 16 blocks, 64 MiB). */
  constructor(
    limits: RecentBlocksLimits = { maxCount: MAX_RECENT_BLOCKS, maxBytes: MAX_RECENT_BLOCK_BYTES },
  ) {
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
   * Stores `bytes` (as given, not copied) under `hash` (wire order) as the
   * most recent, evicting the least recently used while a bound would be
   * exceeded. A block larger than the byte bound is not stored (returns false).
   */
  put(hash: Uint8Array, bytes: Uint8Array): boolean {
    if (bytes.length > this.#limits.maxBytes || this.#limits.maxCount <= 0) return false;
    const key = hashToHex(hash);
    this.#drop(key);
    while (
      this.#blocks.size >= this.#limits.maxCount ||
      this.#bytes + bytes.length > this.#limits.maxBytes
    ) {
      const oldest = this.#blocks.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
    this.#blocks.set(key, bytes);
    this.#bytes += bytes.length;
    return true;
  }

  /** The block `hash` (and marks it recently used), or undefined: answer `notfound`. */
  get(hash: Uint8Array): Uint8Array | undefined {
    const key = hashToHex(hash);
    const bytes = this.#blocks.get(key);
    if (bytes !== undefined) {
      this.#blocks.delete(key);
      this.#blocks.set(key, bytes);
    }
    return bytes;
  }

  /** True when `hash` is held (does not change its recency). */
  has(hash: Uint8Array): boolean {
    return this.#blocks.has(hashToHex(hash));
  }

  #drop(key: string): void {
    const bytes = this.#blocks.get(key);
    if (bytes === undefined) return;
    this.#blocks.delete(key);
    this.#bytes -= bytes.length;
  }
}
