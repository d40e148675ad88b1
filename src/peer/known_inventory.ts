/**
 * What a peer is known to have: hashes it announced to us and hashes we
 * announced to it, so nothing is announced twice. A most-recently-used cache
 * over a `Map` (which keeps insertion order): an insert moves the hash to the
 * newest end and evicts from the oldest end past the bound, so lookups and
 * inserts are O(1) and memory stays bounded whatever a peer sends.
 */
import { type InvItem, MSG_BLOCK, MSG_WITNESS_FLAG } from "../wire/messages/inv.ts";

/** Default hashes remembered per peer (the bound: 1,000 per peer). */
export const DEFAULT_KNOWN_INVENTORY_LIMIT = 1_000;

/** A bounded MRU set of 32-byte hashes. */
export class KnownInventory {
  readonly #limit: number;
  readonly #keys = new Map<string, true>();

  /** `limit`: most hashes kept (at least 1). */
  constructor(limit: number = DEFAULT_KNOWN_INVENTORY_LIMIT) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`known inventory limit must be a positive integer, got ${limit}`);
    }
    this.#limit = limit;
  }

  /** The bound. */
  get limit(): number {
    return this.#limit;
  }

  /** Hashes held now (never above `limit`). */
  get size(): number {
    return this.#keys.size;
  }

  /** True when `hash` is known. Does not change its recency. */
  has(hash: Uint8Array): boolean {
    return this.#keys.has(inventoryKey(hash));
  }

  /** Marks `hash` known and most recent, evicting the least recent past the bound. */
  add(hash: Uint8Array): void {
    const key = inventoryKey(hash);
    this.#keys.delete(key);
    this.#keys.set(key, true);
    if (this.#keys.size > this.#limit) {
      // The first key in a Map's order is the least recently inserted.
      this.#keys.delete(this.#keys.keys().next().value as string);
    }
  }

  /**
   * `add` for every block entry of an inventory list. Transaction entries
   * are skipped: this node is blocks-only and never announces one.
   */
  addItems(items: readonly InvItem[]): void {
    for (const item of items) {
      if ((item.type & ~MSG_WITNESS_FLAG) === MSG_BLOCK) this.add(item.hash);
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.#keys.clear();
  }
}

/** A compact map key for a hash: one UTF-16 unit per byte (32 characters for 32 bytes). */
function inventoryKey(hash: Uint8Array): string {
  return String.fromCharCode.apply(null, hash as unknown as number[]);
}
