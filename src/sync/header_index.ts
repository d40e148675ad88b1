/**
 * The compact header index: every known header (best chain and side
 * branches) in about 100 bytes, with no object per header.
 *
 * Layout, per header, in chunks of `CHUNK_SIZE` headers (so growth never
 * copies what is stored, and no more than one chunk is allocated unused):
 * - the raw 80-byte header, in insertion order (parents before children);
 * - its height (Int32Array);
 * - best chain: the index of the header at each height (Int32Array, by height);
 * - a hash table: an open-addressing Uint32Array (linear probing, at most 3/4
 *   full), each slot packing `index + 1` (24 bits) with 8 more bits of the hash
 *   as a fingerprint; the position comes from the hash's first 4 bytes.
 *
 * No hash and no parent pointer are stored. A best-chain header that is not
 * the tip has its hash in its child's `prevBlock` field (a free view); any
 * other header (the tip, side branches) is hashed again when needed, through
 * a small cache. The parent of a best-chain header is the best chain's entry
 * one height down; a side-branch header finds its parent by looking up its
 * `prevBlock`. Chain work is not stored per header either: `HeaderChain`
 * keeps exact work for branch tips and periodic best-chain checkpoints.
 */
import type { Sha256 } from "../platform/hash.ts";
import { BLOCK_HEADER_SIZE } from "../wire/block_header.ts";
import { sha256d } from "../wire/hash.ts";

/** log2 of `CHUNK_SIZE`. */
const CHUNK_BITS = 15;
/** Headers per storage chunk: 32,768 (2.5 MiB of raw headers). */
export const CHUNK_SIZE = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SIZE - 1;
/**
 * Entries the first chunk starts with; it doubles up to `CHUNK_SIZE` as
 * headers arrive, so a node that knows few headers (regtest, a new node, the
 * simulator's thousand nodes) holds kilobytes, not 2.5 MiB.
 */
const FIRST_CHUNK_ENTRIES = 256;

/** `chunk` grown (doubling, at most `CHUNK_SIZE` units of `unit`) to hold unit index `at`. */
function grownChunk<T extends Int32Array | Uint8Array>(chunk: T, at: number, unit: number): T {
  const units = Math.min(CHUNK_SIZE, Math.max((chunk.length / unit) * 2, at + 1));
  const grown =
    (chunk instanceof Int32Array
      ? new Int32Array(units * unit)
      : new Uint8Array(units * unit)) as T;
  grown.set(chunk);
  return grown;
}
/** Bits of a table slot that hold `index + 1`. */
const SLOT_INDEX_BITS = 24;
const SLOT_INDEX_MASK = (1 << SLOT_INDEX_BITS) - 1;
/**
 * Most headers the index holds: slots keep `index + 1` in 24 bits. That is
 * 16.7 million headers, over 300 years of blocks at one per 10 minutes.
 */
export const MAX_INDEXED_HEADERS = SLOT_INDEX_MASK;
/** log2 of the hash table's first size. */
const INITIAL_TABLE_BITS = 12;
/** Grow the table before it is more than 3/4 full (keeps probe sequences short). */
const MAX_TABLE_LOAD = 0.75;
/** Entries of the direct-mapped cache of recomputed hashes (tips, side branches). */
const HASH_CACHE_SIZE = 64;
/** Offsets of the fields inside a serialized header. */
const PREV_OFFSET = 4;
const TIME_OFFSET = 68;
const BITS_OFFSET = 72;

/** Reads a little-endian u32 at `at`. */
function u32At(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
}

/** True when `a[aAt..aAt+32)` equals `b[0..32)`. */
function equal32(a: Uint8Array, aAt: number, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[aAt + i] !== b[i]) return false;
  return true;
}

/** A growable list of Int32 chunks. */
class Int32Chunks {
  readonly chunks: Int32Array[] = [];

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS][i & CHUNK_MASK];
  }
  set(i: number, value: number): void {
    const c = i >>> CHUNK_BITS;
    const at = i & CHUNK_MASK;
    while (this.chunks.length <= c) {
      this.chunks.push(new Int32Array(this.chunks.length === 0 ? FIRST_CHUNK_ENTRIES : CHUNK_SIZE));
    }
    if (at >= this.chunks[c].length) this.chunks[c] = grownChunk(this.chunks[c], at, 1);
    this.chunks[c][at] = value;
  }
  /** Frees chunks past the first `length` entries. */
  truncate(length: number): void {
    const keep = (length + CHUNK_MASK) >>> CHUNK_BITS;
    this.chunks.length = Math.min(this.chunks.length, keep);
  }
  bytes(): number {
    let n = 0;
    for (const chunk of this.chunks) n += chunk.byteLength;
    return n;
  }
}

/**
 * The store of headers and their hash index, plus the best chain by height.
 * Validation is the caller's (`HeaderChain`); this class only keeps what it
 * is given and answers lookups. Hashes and raw headers it returns are views
 * into its memory (or its cache): read them, copy them to keep them.
 */
export class HeaderIndex {
  readonly #sha256: Sha256;
  readonly #raw: Uint8Array[] = [];
  readonly #height = new Int32Chunks();
  readonly #best = new Int32Chunks();
  #bestLength = 0;
  #count = 0;
  #table: Uint32Array;
  #tableBits: number;
  readonly #cacheKeys = new Int32Array(HASH_CACHE_SIZE).fill(-1);
  readonly #cacheHashes = new Uint8Array(HASH_CACHE_SIZE * 32);

  /** An empty index; `sha256` rehashes headers whose hash is not stored. */
  constructor(sha256: Sha256) {
    this.#sha256 = sha256;
    this.#tableBits = INITIAL_TABLE_BITS;
    this.#table = new Uint32Array(1 << INITIAL_TABLE_BITS);
  }

  /** Headers stored (best chain and side branches). */
  get count(): number {
    return this.#count;
  }

  /** Height of the best chain's tip (−1 while the index is empty). */
  get tipHeight(): number {
    return this.#bestLength - 1;
  }

  /**
   * Stores `raw` (80 bytes, copied) whose hash is `hash` and whose parent is
   * the header at index `parent` (−1 for genesis), and returns its index.
   * It does not join the best chain (see `setBest`). Throws `RangeError`
   * when the index is full.
   */
  add(raw: Uint8Array, hash: Uint8Array, parent: number): number {
    const index = this.#count;
    if (index >= MAX_INDEXED_HEADERS) {
      throw new RangeError(`the header index is full (${MAX_INDEXED_HEADERS} headers)`);
    }
    if ((index + 1) > (1 << this.#tableBits) * MAX_TABLE_LOAD) this.#growTable();
    const c = index >>> CHUNK_BITS;
    const at = index & CHUNK_MASK;
    if (c === this.#raw.length) {
      const entries = c === 0 ? FIRST_CHUNK_ENTRIES : CHUNK_SIZE;
      this.#raw.push(new Uint8Array(entries * BLOCK_HEADER_SIZE));
    }
    if (at * BLOCK_HEADER_SIZE >= this.#raw[c].length) {
      this.#raw[c] = grownChunk(this.#raw[c], at, BLOCK_HEADER_SIZE);
    }
    this.#raw[c].set(raw.subarray(0, BLOCK_HEADER_SIZE), at * BLOCK_HEADER_SIZE);
    this.#height.set(index, parent < 0 ? 0 : this.#height.get(parent) + 1);
    this.#count = index + 1;
    this.#insert(hash, index);
    this.#remember(index, hash);
    return index;
  }

  /** Index of the header whose hash (wire order) is `hash`, or −1. */
  find(hash: Uint8Array): number {
    const table = this.#table;
    const mask = table.length - 1;
    const fingerprint = hash[4];
    for (let slot = this.#slotOf(hash);; slot = (slot + 1) & mask) {
      const entry = table[slot];
      if (entry === 0) return -1;
      if (entry >>> SLOT_INDEX_BITS === fingerprint) {
        const index = (entry & SLOT_INDEX_MASK) - 1;
        if (this.#hashEquals(index, hash)) return index;
      }
    }
  }

  /** The raw 80-byte header at `index` (a view). */
  rawAt(index: number): Uint8Array {
    const at = (index & CHUNK_MASK) * BLOCK_HEADER_SIZE;
    return this.#raw[index >>> CHUNK_BITS].subarray(at, at + BLOCK_HEADER_SIZE);
  }

  /** The hash of the header at `index`, wire order (a view: copy it to keep it). */
  hashAt(index: number): Uint8Array {
    const child = this.#bestChild(index);
    if (child >= 0) {
      const at = (child & CHUNK_MASK) * BLOCK_HEADER_SIZE + PREV_OFFSET;
      return this.#raw[child >>> CHUNK_BITS].subarray(at, at + 32);
    }
    const slot = index & (HASH_CACHE_SIZE - 1);
    if (this.#cacheKeys[slot] !== index) {
      this.#remember(index, sha256d(this.#sha256, this.rawAt(index)));
    }
    return this.#cacheHashes.subarray(slot * 32, slot * 32 + 32);
  }

  /** Height of the header at `index`. */
  heightOf(index: number): number {
    return this.#height.get(index);
  }

  /** Timestamp (Unix seconds) of the header at `index`. */
  timeOf(index: number): number {
    return u32At(this.#raw[index >>> CHUNK_BITS], (index & CHUNK_MASK) * 80 + TIME_OFFSET);
  }

  /** nBits of the header at `index`. */
  bitsOf(index: number): number {
    return u32At(this.#raw[index >>> CHUNK_BITS], (index & CHUNK_MASK) * 80 + BITS_OFFSET);
  }

  /** The `prevBlock` field of the header at `index` (a view). */
  prevHashOf(index: number): Uint8Array {
    return this.rawAt(index).subarray(PREV_OFFSET, PREV_OFFSET + 32);
  }

  /** Index of the parent of the header at `index`; −1 for genesis. */
  parentOf(index: number): number {
    const height = this.#height.get(index);
    if (height === 0) return -1;
    if (this.isBest(index)) return this.#best.get(height - 1);
    return this.find(this.prevHashOf(index));
  }

  /** Index of the best chain's header at `height`, or −1 past the tip. */
  bestAt(height: number): number {
    return height >= 0 && height < this.#bestLength ? this.#best.get(height) : -1;
  }

  /** True when the header at `index` is on the best chain. */
  isBest(index: number): boolean {
    const height = this.#height.get(index);
    return height < this.#bestLength && this.#best.get(height) === index;
  }

  /**
   * Index of the ancestor at `height` of the header at `index` (itself when
   * the heights are equal). Side-branch steps go through hash lookups until
   * the branch meets the best chain.
   */
  ancestorOf(index: number, height: number): number {
    let at = index;
    while (this.#height.get(at) > height && !this.isBest(at)) at = this.parentOf(at);
    return this.#height.get(at) === height ? at : this.#best.get(height);
  }

  /**
   * Puts the header at `index` on the best chain at its height, making it
   * the tip: entries above are dropped. Callers rewrite a branch bottom-up.
   */
  setBest(index: number): void {
    const height = this.#height.get(index);
    if (height > this.#bestLength) {
      throw new RangeError(
        `best chain has ${this.#bestLength} entries; cannot set height ${height}`,
      );
    }
    this.#best.set(height, index);
    this.#bestLength = height + 1;
    this.#best.truncate(this.#bestLength);
  }

  /** Bytes held by the index's arrays (what a header costs, all included). */
  memoryBytes(): number {
    let raw = 0;
    for (const chunk of this.#raw) raw += chunk.byteLength;
    return raw + this.#height.bytes() +
      this.#best.bytes() + this.#table.byteLength + this.#cacheKeys.byteLength +
      this.#cacheHashes.byteLength;
  }

  /** The best-chain child of `index` (whose prevBlock is `index`'s hash), or −1. */
  #bestChild(index: number): number {
    const height = this.#height.get(index);
    if (height + 1 >= this.#bestLength || this.#best.get(height) !== index) return -1;
    return this.#best.get(height + 1);
  }

  #hashEquals(index: number, hash: Uint8Array): boolean {
    const child = this.#bestChild(index);
    if (child >= 0) {
      return equal32(
        this.#raw[child >>> CHUNK_BITS],
        (child & CHUNK_MASK) * BLOCK_HEADER_SIZE + PREV_OFFSET,
        hash,
      );
    }
    return equal32(this.hashAt(index), 0, hash);
  }

  #remember(index: number, hash: Uint8Array): void {
    const slot = index & (HASH_CACHE_SIZE - 1);
    this.#cacheKeys[slot] = index;
    this.#cacheHashes.set(hash.subarray(0, 32), slot * 32);
  }

  /** First probe position: a multiplicative hash of the hash's first 4 bytes. */
  #slotOf(hash: Uint8Array): number {
    return Math.imul(u32At(hash, 0), 0x9e3779b1) >>> (32 - this.#tableBits);
  }

  #insert(hash: Uint8Array, index: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let slot = this.#slotOf(hash);
    while (table[slot] !== 0) slot = (slot + 1) & mask;
    table[slot] = ((hash[4] << SLOT_INDEX_BITS) | (index + 1)) >>> 0;
  }

  #growTable(): void {
    this.#tableBits++;
    this.#table = new Uint32Array(1 << this.#tableBits);
    for (let i = 0; i < this.#count; i++) this.#insert(this.hashAt(i), i);
  }
}
