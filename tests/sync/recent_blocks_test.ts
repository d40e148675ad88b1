/** The recent-block cache: count and byte bounds, MRU order, and misses for notfound. */
import { describe, expect, test } from "bun:test";
import {
  MAX_RECENT_BLOCK_BYTES,
  MAX_RECENT_BLOCKS,
  RecentBlocks,
} from "../../src/sync/recent_blocks.ts";

function h(n: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = n;
  return out;
}

describe("recent blocks", () => {
  test("get returns the stored bytes; a block not held is undefined (answer notfound)", () => {
    const cache = new RecentBlocks();
    const block = Uint8Array.of(1, 2, 3);
    cache.put(h(1), block);
    expect(cache.get(h(1))).toBe(block);
    expect(cache.get(h(2))).toBeUndefined();
    expect(cache.has(h(1))).toBe(true);
  });

  test("the count bound drops the least recently used", () => {
    const cache = new RecentBlocks({ maxCount: 3, maxBytes: 1 << 20 });
    for (const n of [1, 2, 3]) cache.put(h(n), new Uint8Array(10));
    cache.get(h(1)); // 1 is now the most recent; 2 is the oldest
    cache.put(h(4), new Uint8Array(10));
    expect([1, 2, 3, 4].map((n) => cache.has(h(n)))).toEqual([true, false, true, true]);
    expect(cache.size).toBe(3);
  });

  test("the byte bound drops as many as needed", () => {
    const cache = new RecentBlocks({ maxCount: 100, maxBytes: 1000 });
    cache.put(h(1), new Uint8Array(400));
    cache.put(h(2), new Uint8Array(400));
    cache.put(h(3), new Uint8Array(150));
    cache.put(h(4), new Uint8Array(600));
    expect([1, 2, 3, 4].map((n) => cache.has(h(n)))).toEqual([false, false, true, true]);
    expect(cache.bytes).toBe(750);
  });

  test("a block larger than the byte bound is not stored", () => {
    const cache = new RecentBlocks({ maxCount: 10, maxBytes: 1000 });
    cache.put(h(1), new Uint8Array(10));
    expect(cache.put(h(2), new Uint8Array(1001))).toBe(false);
    expect(cache.has(h(1))).toBe(true);
    expect(cache.bytes).toBe(10);
  });

  test("storing a hash again replaces it without double counting", () => {
    const cache = new RecentBlocks({ maxCount: 10, maxBytes: 1000 });
    cache.put(h(1), new Uint8Array(100));
    cache.put(h(1), new Uint8Array(300));
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(300);
  });

  test("defaults: 16 blocks, 64 MiB (sixteen full-weight blocks)", () => {
    expect(MAX_RECENT_BLOCKS).toBe(16);
    expect(MAX_RECENT_BLOCK_BYTES).toBe(64 * 1024 * 1024);
    const cache = new RecentBlocks();
    for (let n = 0; n < 40; n++) cache.put(h(n), new Uint8Array(1000));
    expect(cache.size).toBe(16);
    expect(cache.has(h(23))).toBe(false);
    expect(cache.has(h(24))).toBe(true);
  });
});
