/**
 * The KvStore contract, run against every store: the file store (in a temp
 * directory), the memory store and the IndexedDB store (over fake-indexeddb).
 */
import "fake-indexeddb/auto";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openFileStore } from "../../adapters/storage/file.ts";
import { openIdbStore } from "../../adapters/storage/idb.ts";
import { memoryStore } from "../../adapters/storage/memory.ts";
import type { KvStore } from "../../src/platform/storage.ts";
import { getJson, setJson } from "../../src/platform/storage.ts";

const encoder = new TextEncoder();
const text = (s: string) => encoder.encode(s);

/** `n` bytes of a pattern that repeats only every 251 bytes (a prime), offset by `seed`. */
function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i + seed) % 251;
  return out;
}

/** Index of the first byte where `a` and `b` differ, or -1 (fast on large arrays, unlike toEqual). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Registers the whole contract for one kind of store; `makeStore` gives a fresh empty one. */
export function kvStoreContract(name: string, makeStore: () => Promise<KvStore>): void {
  describe(`KvStore contract: ${name}`, () => {
    test("get of a missing key is undefined", async () => {
      const store = await makeStore();
      expect(await store.get("missing.json")).toBeUndefined();
    });

    test("set then get returns the same bytes", async () => {
      const store = await makeStore();
      await store.set("peers.json", text("[1,2,3]"));
      expect(await store.get("peers.json")).toEqual(text("[1,2,3]"));
    });

    test("set replaces the previous value", async () => {
      const store = await makeStore();
      await store.set("k", text("a much longer first value"));
      await store.set("k", text("short"));
      expect(await store.get("k")).toEqual(text("short"));
    });

    test("delete removes a key, and deleting a missing key is fine", async () => {
      const store = await makeStore();
      await store.set("gone", text("x"));
      await store.delete("gone");
      expect(await store.get("gone")).toBeUndefined();
      await store.delete("gone");
      await store.delete("never-there");
      expect(await store.list()).toEqual([]);
    });

    test("list returns the keys with a prefix, sorted", async () => {
      const store = await makeStore();
      for (const key of ["b", "a2", "c.json", "a1", "a10", "ab"]) await store.set(key, text(key));
      expect(await store.list()).toEqual(["a1", "a10", "a2", "ab", "b", "c.json"]);
      expect(await store.list("a")).toEqual(["a1", "a10", "a2", "ab"]);
      expect(await store.list("a1")).toEqual(["a1", "a10"]);
      expect(await store.list("zzz")).toEqual([]);
    });

    test("rename moves the value and replaces an existing target", async () => {
      const store = await makeStore();
      await store.set("peers.json", text("new"));
      await store.set("peers.json.bad", text("old"));
      await store.rename("peers.json", "peers.json.bad");
      expect(await store.get("peers.json")).toBeUndefined();
      expect(await store.get("peers.json.bad")).toEqual(text("new"));
      expect(await store.list()).toEqual(["peers.json.bad"]);
    });

    test("rename of a key onto itself keeps the value", async () => {
      const store = await makeStore();
      await store.set("same", text("v"));
      await store.rename("same", "same");
      expect(await store.get("same")).toEqual(text("v"));
    });

    test("rename of a missing key rejects and creates nothing", async () => {
      const store = await makeStore();
      await expect(store.rename("absent", "target")).rejects.toThrow(/absent/);
      expect(await store.list()).toEqual([]);
    });

    test("binary values keep all 256 byte values", async () => {
      const store = await makeStore();
      const all = new Uint8Array(512);
      for (let i = 0; i < all.length; i++) all[i] = 255 - (i % 256);
      await store.set("bytes.bin", all);
      expect(await store.get("bytes.bin")).toEqual(all);
      await store.set("empty.bin", new Uint8Array(0));
      expect(await store.get("empty.bin")).toEqual(new Uint8Array(0));
    });

    test("a 5 MB value round-trips", async () => {
      const store = await makeStore();
      const big = pattern(5 * 1024 * 1024, 7);
      await store.set("headers.bin", big);
      const back = await store.get("headers.bin");
      expect(back).toBeInstanceOf(Uint8Array);
      expect(firstDifference(back!, big)).toBe(-1);
    });

    test("a view into a larger buffer stores only the viewed bytes", async () => {
      const store = await makeStore();
      const whole = pattern(100, 0);
      await store.set("view", whole.subarray(10, 20));
      expect(await store.get("view")).toEqual(pattern(10, 10));
    });

    test("invalid keys are rejected with a message naming the key", async () => {
      const store = await makeStore();
      const bad = ["", "a/b", "a\\b", "..", ".", ".hidden", "nul\0", "x".repeat(201)];
      for (const key of bad) {
        await expect(store.set(key, text("v"))).rejects.toThrow(TypeError);
        await expect(store.get(key)).rejects.toThrow(/invalid storage key/);
        await expect(store.rename("ok", key)).rejects.toThrow(TypeError);
      }
      expect(await store.list()).toEqual([]);
    });

    test("concurrent sets of one key leave exactly one of the values", async () => {
      const store = await makeStore();
      const values = Array.from({ length: 16 }, (_, i) => pattern(64 * 1024 + i, i));
      await Promise.all(values.map((value) => store.set("race.bin", value)));
      const back = await store.get("race.bin");
      expect(back).toBeDefined();
      const matches = values.filter((value) => firstDifference(value, back!) === -1);
      expect(matches.length).toBe(1);
      expect(await store.list()).toEqual(["race.bin"]);
    });

    test("changing a value after its set settles, or one get returned, changes nothing stored", async () => {
      const store = await makeStore();
      const value = text("original");
      await store.set("copy", value);
      value.fill(1);
      const first = await store.get("copy");
      expect(first).toEqual(text("original"));
      first!.fill(2);
      expect(await store.get("copy")).toEqual(text("original"));
    });

    test("getJson and setJson round-trip through the store", async () => {
      const store = await makeStore();
      expect(await getJson(store, "state.json")).toBeUndefined();
      await setJson(store, "state.json", { peers: ["1.2.3.4:8333"], n: 1 });
      expect(await getJson(store, "state.json")).toEqual({ peers: ["1.2.3.4:8333"], n: 1 });
    });

    test("close resolves, and a second close too", async () => {
      const store = await makeStore();
      await store.set("k", text("v"));
      expect(store.close).toBeInstanceOf(Function);
      await store.close!();
      await store.close!();
    });
  });
}

let root = "";
let serial = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "btc-edge-kv-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

kvStoreContract("file", () => openFileStore(join(root, `store-${serial++}`)));
kvStoreContract("memory", () => Promise.resolve(memoryStore()));
kvStoreContract("idb", () => Promise.resolve(openIdbStore(`btc-edge-test-${serial++}`)));
