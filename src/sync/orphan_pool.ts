/**
 * Orphan blocks: blocks whose parent we do not know yet, held until it
 * arrives. Bounded by count and by bytes; when full, the oldest go first.
 * Each orphan remembers the peer that sent it, so the missing parent can be
 * asked of that peer, and is indexed by its parent's hash so the children of
 * a block that just connected can be taken out in one call.
 */
import { hashToHex } from "../wire/bytes.ts";

/**
 * Most orphan blocks held. Pre-headers-first Core kept up to 750; with headers
 * synced first, orphans are rare (a block racing its parent), so 100 is ample.
 */
export const MAX_ORPHAN_BLOCKS = 100;
/** Most bytes of orphan blocks held: 16 MiB, four full-weight blocks. */
export const MAX_ORPHAN_BYTES = 16 * 1024 * 1024;

/** One held orphan. */
export interface OrphanBlock {
  /** Block hash, wire order. */
  readonly hash: Uint8Array;
  /** Its parent's hash (the missing block), wire order. */
  readonly prevHash: Uint8Array;
  /** The serialized block (held as given, not copied). */
  readonly bytes: Uint8Array;
  /** Id of the peer that sent it. */
  readonly peerId: number;
}

/** Bounds of a pool. */
export interface OrphanPoolLimits {
  readonly maxCount: number;
  readonly maxBytes: number;
}

/** The outcome of `add`. */
export interface OrphanAddResult {
  /** False when the block was already held, or alone exceeds the byte bound. */
  readonly added: boolean;
  /** Orphans dropped to make room, oldest first. */
  readonly evicted: readonly OrphanBlock[];
}

/** A bounded pool of orphan blocks keyed by hash and indexed by parent hash. */
export class OrphanPool {
  readonly #limits: OrphanPoolLimits;
  /** Insertion order is age order: the first entry is the oldest. */
  readonly #byHash = new Map<string, OrphanBlock>();
  readonly #byPrev = new Map<string, Set<string>>();
  #bytes = 0;

  /** An empty pool with the given bounds (default 100 blocks, 16 MiB). */
  constructor(
    limits: OrphanPoolLimits = { maxCount: MAX_ORPHAN_BLOCKS, maxBytes: MAX_ORPHAN_BYTES },
  ) {
    this.#limits = limits;
  }

  /** Orphans held. */
  get size(): number {
    return this.#byHash.size;
  }

  /** Bytes of orphan blocks held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Adds an orphan, evicting the oldest ones while either bound would be exceeded. */
  add(orphan: OrphanBlock): OrphanAddResult {
    const key = hashToHex(orphan.hash);
    if (this.#byHash.has(key) || orphan.bytes.length > this.#limits.maxBytes) {
      return { added: false, evicted: [] };
    }
    const evicted: OrphanBlock[] = [];
    while (
      this.#byHash.size >= this.#limits.maxCount ||
      this.#bytes + orphan.bytes.length > this.#limits.maxBytes
    ) {
      const oldest = this.#byHash.values().next().value;
      if (oldest === undefined) break;
      this.#remove(oldest);
      evicted.push(oldest);
    }
    if (this.#limits.maxCount <= 0) return { added: false, evicted };
    this.#byHash.set(key, orphan);
    const prev = hashToHex(orphan.prevHash);
    const siblings = this.#byPrev.get(prev);
    if (siblings) siblings.add(key);
    else this.#byPrev.set(prev, new Set([key]));
    this.#bytes += orphan.bytes.length;
    return { added: true, evicted };
  }

  /** True when the orphan `hash` is held. */
  has(hash: Uint8Array, hex = hashToHex(hash)): boolean {
    return this.#byHash.has(hex);
  }

  /** The orphan `hash`, if held. */
  get(hash: Uint8Array): OrphanBlock | undefined {
    return this.#byHash.get(hashToHex(hash));
  }

  /** Removes and returns the orphans whose parent is `parentHash`, oldest first. */
  takeChildren(parentHash: Uint8Array): OrphanBlock[] {
    const keys = this.#byPrev.get(hashToHex(parentHash));
    if (!keys) return [];
    const children: OrphanBlock[] = [];
    for (const key of keys) {
      const child = this.#byHash.get(key);
      if (child) children.push(child);
    }
    for (const child of children) this.#remove(child);
    return children;
  }

  /**
   * The block to ask for so that `hash`'s chain of orphans can connect: the
   * parent of its oldest held ancestor (wire order), or undefined when
   * `hash` is not held.
   */
  missingAncestor(hash: Uint8Array): Uint8Array | undefined {
    let orphan = this.#byHash.get(hashToHex(hash));
    if (!orphan) return undefined;
    // Each step moves to a distinct held block, so at most `size` steps.
    for (let steps = 0; steps < this.#byHash.size; steps++) {
      const parent = this.#byHash.get(hashToHex(orphan.prevHash));
      if (!parent) break;
      orphan = parent;
    }
    return orphan.prevHash;
  }

  /** Removes every orphan sent by `peerId` (say, when it misbehaved); returns how many. */
  removeForPeer(peerId: number): number {
    let removed = 0;
    for (const orphan of [...this.#byHash.values()]) {
      if (orphan.peerId === peerId) {
        this.#remove(orphan);
        removed++;
      }
    }
    return removed;
  }

  #remove(orphan: OrphanBlock): void {
    const key = hashToHex(orphan.hash);
    if (!this.#byHash.delete(key)) return;
    this.#bytes -= orphan.bytes.length;
    const prev = hashToHex(orphan.prevHash);
    const siblings = this.#byPrev.get(prev);
    siblings?.delete(key);
    if (siblings?.size === 0) this.#byPrev.delete(prev);
  }
}
