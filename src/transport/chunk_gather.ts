/**
 * One item of known length (a v1 payload, a v2 packet) taken from the
 * socket's chunks as they come. An item that lies whole inside one chunk is
 * a view of that chunk (no copy); one split across chunks is gathered into a
 * buffer that grows as its bytes arrive, so a peer announcing 4 MB and
 * sending nothing costs nothing, and one sending a part of it costs at most
 * twice that part: what announces a length cannot make us hold more than it
 * sent. Shared by both transports, so their receive buffering is the same.
 */

/** First allocation for an item that arrives in pieces; it doubles as bytes come. */
export const INITIAL_GATHER_CAPACITY = 64 * 1024;

/** Gathers one item at a time. */
export class ChunkGather {
  /** The item gathered across chunks; null until a split item starts. */
  #partial: Uint8Array | null = null;
  #have = 0;
  #used = 0;

  /** Bytes held for the unfinished item. */
  get buffered(): number {
    return this.#have;
  }

  /** Bytes of the chunk the last `take` consumed. */
  get used(): number {
    return this.#used;
  }

  /**
   * The whole item of `length` bytes once it is complete, continuing with the
   * bytes of `chunk` from `at`; null while more are needed. A complete item
   * is a view of `chunk` when it lay whole inside it, else the gathered
   * buffer; either way the gatherer then starts afresh. `used` tells how
   * many bytes of `chunk` were consumed.
   */
  take(chunk: Uint8Array, at: number, length: number): Uint8Array | null {
    const available = chunk.length - at;
    if (this.#partial === null && available >= length) {
      this.#used = length;
      return chunk.subarray(at, at + length);
    }
    // Nothing yet: wait, so an item arriving whole in the next chunk is still a view.
    if (available === 0) {
      this.#used = 0;
      return null;
    }
    const n = Math.min(length - this.#have, available);
    const needed = this.#have + n;
    if (this.#partial === null || this.#partial.length < needed) {
      const doubled = (this.#partial?.length ?? 0) * 2;
      const grown = new Uint8Array(
        Math.min(length, Math.max(INITIAL_GATHER_CAPACITY, needed, doubled)),
      );
      if (this.#partial !== null) grown.set(this.#partial.subarray(0, this.#have));
      this.#partial = grown;
    }
    this.#partial.set(chunk.subarray(at, at + n), this.#have);
    this.#have = needed;
    this.#used = n;
    if (needed < length) return null;
    const item = this.#partial;
    this.#partial = null;
    this.#have = 0;
    return item;
  }
}
