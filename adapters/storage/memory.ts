/**
 * An in-memory `KvStore` for tests and the simulator. Values are copied on
 * the way in and out, so a caller can't change stored bytes by mutating an
 * array it passed or received.
 */
import type { KvStore } from "../../src/platform/storage.ts";
import { checkKey, missingKeyError } from "./key.ts";

/** A fresh, empty store that lives as long as the returned object. */
export function memoryStore(): KvStore {
  const values = new Map<string, Uint8Array>();
  return {
    get: (key) =>
      settle(() => {
        checkKey(key);
        return values.get(key)?.slice();
      }),
    set: (key, value) =>
      settle(() => {
        checkKey(key);
        values.set(key, value.slice());
      }),
    delete: (key) =>
      settle(() => {
        checkKey(key);
        values.delete(key);
      }),
    list: (prefix = "") =>
      settle(() => [...values.keys()].filter((key) => key.startsWith(prefix)).sort()),
    rename: (from, to) =>
      settle(() => {
        checkKey(from);
        checkKey(to);
        const value = values.get(from);
        if (value === undefined) throw missingKeyError(from);
        values.delete(from);
        values.set(to, value);
      }),
    // Nothing to release: the values live as long as this object.
    close: () => Promise.resolve(),
  };
}

/** Runs `fn` now and reports its result or throw as a promise, like a real store would. */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
