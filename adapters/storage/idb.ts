/**
 * A `KvStore` over IndexedDB through `idb-keyval`, for browsers and other
 * hosts with a global `indexedDB` (tests use `fake-indexeddb`). Each
 * operation is one IndexedDB transaction, so `set` and `rename` are atomic:
 * `rename` reads, writes and deletes inside a single readwrite transaction.
 */
import { createStore, del, get, keys, promisifyRequest, set } from "idb-keyval";
import type { KvStore } from "../../src/platform/storage.ts";
import { checkKey, missingKeyError } from "./key.ts";

/** Opens the object store `storeName` of database `dbName` (created on first use). */
export function openIdbStore(dbName: string, storeName = "kv"): KvStore {
  const store = createStore(dbName, storeName);
  return {
    async get(key) {
      checkKey(key);
      return await get<Uint8Array>(key, store);
    },
    async set(key, value) {
      checkKey(key);
      // Copy now: idb-keyval clones the value only once the database is open.
      await set(key, value.slice(), store);
    },
    async delete(key) {
      checkKey(key);
      await del(key, store);
    },
    async list(prefix = "") {
      const all = await keys(store);
      return all
        .filter((key): key is string => typeof key === "string" && key.startsWith(prefix))
        .sort();
    },
    async rename(from, to) {
      checkKey(from);
      checkKey(to);
      await store("readwrite", (objects) =>
        new Promise<void>((resolve, reject) => {
          const read = objects.get(from);
          read.onerror = () => reject(read.error);
          read.onsuccess = () => {
            if (read.result === undefined) {
              reject(missingKeyError(from));
              return;
            }
            if (from !== to) {
              objects.put(read.result, to);
              objects.delete(from);
            }
            resolve(promisifyRequest(objects.transaction));
          };
        }));
    },
    // Nothing to release: IndexedDB has no lock for a store to hold.
    async close() {},
  };
}
