/** The orphan pool: bounds by count and bytes, oldest-first eviction, children and ancestors. */
import { describe, expect, test } from "bun:test";
import {
  MAX_ORPHAN_BLOCKS,
  MAX_ORPHAN_BYTES,
  type OrphanBlock,
  OrphanPool,
} from "../../src/sync/orphan_pool.ts";
import { hashToHex } from "../../src/wire/bytes.ts";

/** A hash whose first byte is `n` (and second `n >> 8`). */
function h(n: number): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = n & 0xff;
  out[1] = n >> 8;
  out[31] = 0xaa;
  return out;
}

function orphan(n: number, parent: number, size = 100, peerId = 1): OrphanBlock {
  return { hash: h(n), prevHash: h(parent), bytes: new Uint8Array(size), peerId };
}

describe("orphan pool", () => {
  test("defaults are 100 blocks and 16 MiB", () => {
    expect(MAX_ORPHAN_BLOCKS).toBe(100);
    expect(MAX_ORPHAN_BYTES).toBe(16 * 1024 * 1024);
    const pool = new OrphanPool();
    for (let i = 1; i <= 150; i++) pool.add(orphan(i, 1000 + i));
    expect(pool.size).toBe(100);
    expect(pool.has(h(50))).toBe(false);
    expect(pool.has(h(51))).toBe(true);
  });

  test("the count bound evicts the oldest first", () => {
    const pool = new OrphanPool({ maxCount: 3, maxBytes: 1 << 20 });
    for (const n of [1, 2, 3]) expect(pool.add(orphan(n, 100 + n)).added).toBe(true);
    const result = pool.add(orphan(4, 104));
    expect(result.added).toBe(true);
    expect(result.evicted.map((o) => hashToHex(o.hash))).toEqual([hashToHex(h(1))]);
    expect([1, 2, 3, 4].map((n) => pool.has(h(n)))).toEqual([false, true, true, true]);
    expect(pool.size).toBe(3);
  });

  test("the byte bound evicts as many old orphans as needed", () => {
    const pool = new OrphanPool({ maxCount: 100, maxBytes: 1000 });
    pool.add(orphan(1, 101, 400));
    pool.add(orphan(2, 102, 400));
    pool.add(orphan(3, 103, 100));
    expect(pool.bytes).toBe(900);
    const result = pool.add(orphan(4, 104, 700));
    expect(result.evicted.length).toBe(2);
    expect(pool.bytes).toBe(800);
    expect([1, 2, 3, 4].map((n) => pool.has(h(n)))).toEqual([false, false, true, true]);
  });

  test("a block larger than the byte bound, or already held, is not added", () => {
    const pool = new OrphanPool({ maxCount: 10, maxBytes: 1000 });
    pool.add(orphan(1, 101, 10));
    expect(pool.add(orphan(2, 102, 1001))).toEqual({ added: false, evicted: [] });
    expect(pool.add(orphan(1, 101, 10))).toEqual({ added: false, evicted: [] });
    expect(pool.size).toBe(1);
    expect(pool.bytes).toBe(10);
  });

  test("takeChildren removes and returns every child of a parent, oldest first", () => {
    const pool = new OrphanPool();
    pool.add(orphan(1, 500, 10, 7));
    pool.add(orphan(2, 600, 10));
    pool.add(orphan(3, 500, 10, 8));
    const children = pool.takeChildren(h(500));
    expect(children.map((o) => [hashToHex(o.hash), o.peerId])).toEqual([
      [hashToHex(h(1)), 7],
      [hashToHex(h(3)), 8],
    ]);
    expect(pool.size).toBe(1);
    expect(pool.bytes).toBe(10);
    expect(pool.takeChildren(h(500))).toEqual([]);
    expect(pool.get(h(2))?.peerId).toBe(1);
  });

  test("missingAncestor names the parent of the oldest held ancestor", () => {
    const pool = new OrphanPool();
    // 3 → 2 → 1 → (missing 9)
    pool.add(orphan(1, 9));
    pool.add(orphan(2, 1));
    pool.add(orphan(3, 2));
    expect(hashToHex(pool.missingAncestor(h(3))!)).toBe(hashToHex(h(9)));
    expect(hashToHex(pool.missingAncestor(h(1))!)).toBe(hashToHex(h(9)));
    expect(pool.missingAncestor(h(42))).toBeUndefined();
  });

  test("missingAncestor ends on a cycle of orphans (forged hashes)", () => {
    const pool = new OrphanPool();
    pool.add(orphan(1, 2));
    pool.add(orphan(2, 1));
    // It returns (a bounded walk) with a block of the cycle to ask for.
    const asked = hashToHex(pool.missingAncestor(h(1))!);
    expect([hashToHex(h(1)), hashToHex(h(2))]).toContain(asked);
  });

  test("removeForPeer drops that peer's orphans and their index entries", () => {
    const pool = new OrphanPool();
    pool.add(orphan(1, 500, 10, 7));
    pool.add(orphan(2, 500, 10, 8));
    pool.add(orphan(3, 501, 10, 7));
    expect(pool.removeForPeer(7)).toBe(2);
    expect(pool.size).toBe(1);
    expect(pool.takeChildren(h(500)).map((o) => o.peerId)).toEqual([8]);
    expect(pool.takeChildren(h(501))).toEqual([]);
    expect(pool.bytes).toBe(0);
  });
});
