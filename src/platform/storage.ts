/**
 * The key-value storage port. Keys are short names (`peers.json`, `bans.json`,
 * `headers.bin`); values are bytes. A `set` is atomic: after a crash the key
 * holds either the old or the new value, never a mix.
 */

/**
 * A small key-value store. Keys are plain file names: non-empty, at most 200
 * UTF-8 bytes, no `/`, `\\` or NUL, not starting with "."; any other key is
 * rejected with a `TypeError`. An array passed to `set` must stay unchanged
 * until the set settles (it may be written as it is: blocks of up to 4 MB are
 * not copied); changing it afterwards, or changing an array `get` returned,
 * never changes what is stored.
 */
export interface KvStore {
  /** The value stored under `key`, or `undefined`. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Replaces the value of `key` atomically; `value` must not change until this settles. */
  set(key: string, value: Uint8Array): Promise<void>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Every key that starts with `prefix` (all keys without one), sorted. */
  list(prefix?: string): Promise<string[]>;
  /**
   * Moves a value to a new key atomically, replacing any value `to` had (used
   * to set corrupt files aside). Rejects with an Error named "NotFoundError"
   * when `from` holds no value.
   */
  rename(from: string, to: string): Promise<void>;
  /** Releases the store and its lock; idempotent. */
  close?(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Reads `key` as JSON; `undefined` when absent. Throws on malformed JSON. */
export async function getJson(store: KvStore, key: string): Promise<unknown> {
  const bytes = await store.get(key);
  return bytes === undefined ? undefined : JSON.parse(decoder.decode(bytes));
}

/** Stores `value` as pretty-printed JSON (readable by people, stable across runtimes). */
export function setJson(store: KvStore, key: string, value: unknown): Promise<void> {
  return store.set(key, encoder.encode(JSON.stringify(value, null, 2) + "\n"));
}
