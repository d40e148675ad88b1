/**
 * One item of known length (a v1 payload, a v2 packet) taken from the
 * socket's chunks as they come. An item that lies whole inside one chunk is
 * a view of that chunk (no copy). One split across chunks is held as its
 * pieces — views of the chunks when long, short pieces copied together —
 * and copied once into a buffer of its size when whole: a peer announcing
 * 4 MB and sending nothing costs nothing, a peer trickling it byte by byte
 * costs no object per byte, and what is held never exceeds about twice what
 * arrived (plus one 64 KiB buffer), so announcing a length cannot make us
 * hold more than was sent.
 * Shared by both transports, so their receive buffering is the same.
 */

/**
 * Pieces shorter than this are copied together into one buffer of
 * `COALESCE_BUFFER_BYTES`; longer ones are kept as views of their chunks
 * (when they are at least half of the chunk's memory, so a view never pins
 * more than twice its bytes) until the item is whole.
 */
export const COALESCE_BELOW = 16 * 1024;
/** Size of the buffer short pieces are copied into. */
export const COALESCE_BUFFER_BYTES = 64 * 1024;

/** Gathers one item at a time. */
export class ChunkGather {
  /** Pieces of the unfinished item, in order. */
  #pieces: Uint8Array[] = [];
  /** Where short pieces are copied together; its first `#coalescedLength` bytes are used. */
  #coalesced: Uint8Array | null = null;
  #coalescedLength = 0;
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
   * is a view of `chunk` when it lay whole inside it, else a buffer of its
   * own; either way the gatherer then starts afresh. `used` tells how many
   * bytes of `chunk` were consumed.
   */
  take(chunk: Uint8Array, at: number, length: number): Uint8Array | null {
    const available = chunk.length - at;
    if (this.#have === 0 && available >= length) {
      this.#used = length;
      return chunk.subarray(at, at + length);
    }
    // Nothing yet: wait, so an item arriving whole in the next chunk is still a view.
    if (available === 0) {
      this.#used = 0;
      return null;
    }
    const n = Math.min(length - this.#have, available);
    this.#gather(chunk.subarray(at, at + n));
    this.#have += n;
    this.#used = n;
    if (this.#have < length) return null;
    this.#flushCoalesced();
    const item = new Uint8Array(length);
    let to = 0;
    for (const piece of this.#pieces) {
      item.set(piece, to);
      to += piece.length;
    }
    this.#pieces = [];
    this.#have = 0;
    return item;
  }

  /** Holds one piece: as a view when long and most of the chunk it pins, else copied. */
  #gather(piece: Uint8Array): void {
    const n = piece.length;
    if (n >= COALESCE_BELOW && n * 2 >= piece.buffer.byteLength) {
      this.#flushCoalesced();
      this.#pieces.push(piece);
      return;
    }
    if (this.#coalesced !== null && this.#coalescedLength + n > this.#coalesced.length) {
      this.#flushCoalesced();
    }
    this.#coalesced ??= new Uint8Array(Math.max(COALESCE_BUFFER_BYTES, n));
    this.#coalesced.set(piece, this.#coalescedLength);
    this.#coalescedLength += n;
  }

  /** Moves the coalescing buffer's bytes into the pieces. */
  #flushCoalesced(): void {
    if (this.#coalesced === null) return;
    this.#pieces.push(this.#coalesced.subarray(0, this.#coalescedLength));
    this.#coalesced = null;
    this.#coalescedLength = 0;
  }
}
