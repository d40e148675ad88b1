/**
 * Table slots that hold entries by number. Each entry gets a small id when
 * the tables register it (`EntryIds`); a slot table stores ids in
 * Int32Arrays (0 = empty), so a slot costs 4 bytes, empty buckets cost
 * nothing, and the garbage collector has no references to scan in them.
 */
import type { AddrEntry } from "./entry.ts";

/** The id ↔ entry registry shared by the new and tried slot tables. */
export class EntryIds {
  /** Index = id; id 0 means "empty" and is never assigned. */
  readonly #entries: (AddrEntry | undefined)[] = [undefined];
  readonly #free: number[] = [];

  /** Gives `e` an unused id. */
  assign(e: AddrEntry): void {
    const id = this.#free.pop() ?? this.#entries.length;
    this.#entries[id] = e;
    e.id = id;
  }

  /** Frees `e`'s id for reuse (the entry is gone from every slot). */
  release(e: AddrEntry): void {
    if (this.#entries[e.id] !== e) return;
    this.#entries[e.id] = undefined;
    this.#free.push(e.id);
    e.id = 0;
  }

  /** The entry with `id`, or undefined for 0 or a freed id. */
  entry(id: number): AddrEntry | undefined {
    return this.#entries[id];
  }
}

/** Slots per lazily allocated block: one bucket (`BUCKET_SIZE`). */
const BLOCK_SLOTS = 64;

/**
 * A fixed number of slots, each empty or holding one registered entry. Ids
 * live in one Int32Array per bucket of 64 slots, allocated when the bucket
 * first gets an entry: a sparse table (a new node, the simulator's
 * thousand nodes) costs a few kilobytes, a full one about 300 KiB.
 */
export class EntrySlots {
  readonly #length: number;
  readonly #blocks: (Int32Array | undefined)[];
  readonly #registry: EntryIds;

  /** `length` slots (a multiple of 64), empty, resolving ids through `registry`. */
  constructor(length: number, registry: EntryIds) {
    if (length % BLOCK_SLOTS !== 0) {
      throw new RangeError(`slot count must be a multiple of ${BLOCK_SLOTS}, got ${length}`);
    }
    this.#length = length;
    this.#blocks = new Array(length / BLOCK_SLOTS).fill(undefined);
    this.#registry = registry;
  }

  /** Number of slots. */
  get length(): number {
    return this.#length;
  }

  #id(slot: number): number {
    const block = this.#blocks[slot >>> 6];
    return block === undefined ? 0 : block[slot & (BLOCK_SLOTS - 1)];
  }

  /** The entry in `slot`, or undefined when it is empty. */
  at(slot: number): AddrEntry | undefined {
    const id = this.#id(slot);
    return id === 0 ? undefined : this.#registry.entry(id);
  }

  /** True when `slot` holds `e`. */
  holds(slot: number, e: AddrEntry): boolean {
    return e.id !== 0 && this.#id(slot) === e.id;
  }

  /** Puts `e` in `slot`, or empties it. */
  set(slot: number, e: AddrEntry | undefined): void {
    let block = this.#blocks[slot >>> 6];
    if (block === undefined) {
      if (e === undefined) return;
      block = this.#blocks[slot >>> 6] = new Int32Array(BLOCK_SLOTS);
    }
    block[slot & (BLOCK_SLOTS - 1)] = e === undefined ? 0 : e.id;
  }

  /** The first slot holding `e`, or -1. */
  indexOf(e: AddrEntry): number {
    if (e.id === 0) return -1;
    for (let b = 0; b < this.#blocks.length; b++) {
      const at = this.#blocks[b]?.indexOf(e.id) ?? -1;
      if (at >= 0) return b * BLOCK_SLOTS + at;
    }
    return -1;
  }
}
