/**
 * A `KvStore` wrapper for disk-full tests: while `full` is set, every write
 * (`set`, `rename`) rejects the way a full disk does (an Error with code
 * ENOSPC) without touching the wrapped store; reads and deletes pass
 * through. Counts the refused writes.
 */
import type { KvStore } from "../../src/platform/storage.ts";

/** The wrapper: the store, the switch and what it refused. */
export interface FailingStore extends KvStore {
  /** While true, writes reject with ENOSPC. */
  full: boolean;
  /** Keys of the writes refused so far. */
  readonly refused: string[];
}

/** The error a full disk gives (as node:fs reports it). */
export function diskFullError(key: string): Error {
  const error = new Error(`ENOSPC: no space left on device, write '${key}'`);
  (error as Error & { code: string }).code = "ENOSPC";
  return error;
}

/** Wraps `inner`; writes fail while `full` is set. */
export function failingStore(inner: KvStore): FailingStore {
  const refused: string[] = [];
  const store: FailingStore = {
    full: false,
    refused,
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    delete: (key) => inner.delete(key),
    set(key, value) {
      if (!store.full) return inner.set(key, value);
      refused.push(key);
      return Promise.reject(diskFullError(key));
    },
    rename(from, to) {
      if (!store.full) return inner.rename(from, to);
      refused.push(to);
      return Promise.reject(diskFullError(to));
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
  return store;
}
