/**
 * The recent-block cache: count and byte bounds; the highest blocks of the
 * best chain stay, blocks of other branches go first and never flush the
 * best chain (issue 14's sixteen cheap forks off genesis); misses for the
 * store or notfound.
 */
import { describe, expect, test } from "bun:test";
import {
  MAX_RECENT_BLOCK_BYTES,
  MAX_RECENT_BLOCKS,
  RecentBlocks,
} from "../../src/sync/recent_blocks.ts";

function h(n: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = n;
  out[1] = n >> 8;
  return out;
}

/** A cache where hashes whose first byte is ≥ 200 are off the best chain (or those in `side`). */
function cache(limits?: { maxCount: number; maxBytes: number }, side = new Set<number>()) {
  return new RecentBlocks((hash) => hash[0] < 200 && !side.has(hash[0]), limits);
}

describe("recent blocks", () => {
  test("get returns the stored bytes and height; a block not held is undefined", () => {
    const c = cache();
    const block = Uint8Array.of(1, 2, 3);
    expect(c.put(h(1), 7, block)).toBe(true);
    expect(c.get(h(1))).toBe(block);
    expect(c.heightOf(h(1))).toBe(7);
    expect(c.get(h(2))).toBeUndefined();
    expect(c.has(h(1))).toBe(true);
  });

  test("the count bound lets the lowest best-chain block go, whatever the order of arrival", () => {
    const c = cache({ maxCount: 3, maxBytes: 1 << 20 });
    // Downloaded newest first, then an older one: the newest stay.
    for (const n of [10, 9, 8]) c.put(h(n), n, new Uint8Array(10));
    expect(c.put(h(7), 7, new Uint8Array(10))).toBe(false);
    expect(c.put(h(11), 11, new Uint8Array(10))).toBe(true);
    expect([7, 8, 9, 10, 11].map((n) => c.has(h(n)))).toEqual([false, false, true, true, true]);
    expect(c.size).toBe(3);
  });

  test("blocks off the best chain go before any of it and never flush it", () => {
    const c = cache({ maxCount: 4, maxBytes: 1 << 20 });
    for (const n of [1, 2, 3]) c.put(h(n), n, new Uint8Array(10));
    // A fork block takes the free room...
    expect(c.put(h(200), 1, new Uint8Array(10))).toBe(true);
    // ...sixteen more only replace one another, the oldest first...
    for (let i = 1; i <= 16; i++) expect(c.put(h(200 + i), 1, new Uint8Array(10))).toBe(true);
    expect([1, 2, 3].every((n) => c.has(h(n)))).toBe(true);
    expect(c.has(h(215))).toBe(false);
    expect(c.has(h(216))).toBe(true);
    // ...and a new best-chain block, even a low one, pushes the fork block out.
    expect(c.put(h(0), 0, new Uint8Array(10))).toBe(true);
    expect(c.has(h(216))).toBe(false);
    expect([0, 1, 2, 3].every((n) => c.has(h(n)))).toBe(true);
  });

  test("best-chain membership is asked when choosing: after a reorg the old branch goes first", () => {
    const side = new Set<number>();
    const c = cache({ maxCount: 3, maxBytes: 1 << 20 }, side);
    for (const n of [1, 2, 3]) c.put(h(n), n, new Uint8Array(10));
    side.add(3); // block 3 left the best chain
    expect(c.put(h(4), 3, new Uint8Array(10))).toBe(true);
    expect([1, 2, 3, 4].map((n) => c.has(h(n)))).toEqual([true, true, false, true]);
  });

  test("the byte bound lets as many go as needed", () => {
    const c = cache({ maxCount: 100, maxBytes: 1000 });
    c.put(h(1), 1, new Uint8Array(400));
    c.put(h(2), 2, new Uint8Array(400));
    c.put(h(3), 3, new Uint8Array(150));
    c.put(h(4), 4, new Uint8Array(600));
    expect([1, 2, 3, 4].map((n) => c.has(h(n)))).toEqual([false, false, true, true]);
    expect(c.bytes).toBe(750);
  });

  test("a block larger than the byte bound is not stored", () => {
    const c = cache({ maxCount: 10, maxBytes: 1000 });
    c.put(h(1), 1, new Uint8Array(10));
    expect(c.put(h(2), 2, new Uint8Array(1001))).toBe(false);
    expect(c.has(h(1))).toBe(true);
    expect(c.bytes).toBe(10);
  });

  test("storing a hash again replaces it without double counting", () => {
    const c = cache({ maxCount: 10, maxBytes: 1000 });
    c.put(h(1), 1, new Uint8Array(100));
    c.put(h(1), 1, new Uint8Array(300));
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(300);
  });

  test("defaults: 16 blocks, 64 MiB (sixteen full-weight blocks)", () => {
    expect(MAX_RECENT_BLOCKS).toBe(16);
    expect(MAX_RECENT_BLOCK_BYTES).toBe(64 * 1024 * 1024);
    const c = cache();
    for (let n = 0; n < 40; n++) c.put(h(n), n, new Uint8Array(1000));
    expect(c.size).toBe(16);
    expect(c.has(h(23))).toBe(false);
    expect(c.has(h(24))).toBe(true);
  });
});
