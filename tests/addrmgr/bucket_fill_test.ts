/** Slot counts per bucket and the list of occupied buckets selection draws from. */
import { describe, expect, test } from "bun:test";
import { BucketFill } from "../../src/addrmgr/bucket_fill.ts";
import { seededRandom } from "../../src/platform/random.ts";

/** The buckets `fill` draws in `n` tries. */
function drawn(fill: BucketFill, n = 2000): Set<number> {
  const random = seededRandom(7);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) seen.add(fill.draw(random));
  return seen;
}

describe("BucketFill", () => {
  test("counts slots per bucket and draws only the occupied buckets", () => {
    const fill = new BucketFill(1024);
    expect(fill.occupied).toBe(0);
    for (const b of [5, 900, 5, 1023, 0]) fill.add(b);
    expect(fill.occupied).toBe(4);
    expect(fill.at(5)).toBe(2);
    expect(fill.at(6)).toBe(0);
    expect([...drawn(fill)].sort((a, b) => a - b)).toEqual([0, 5, 900, 1023]);
  });

  test("a bucket leaves the list with its last slot, and the others stay", () => {
    const fill = new BucketFill(256);
    for (const b of [10, 20, 30, 20]) fill.add(b);
    fill.remove(20);
    expect(fill.occupied).toBe(3);
    fill.remove(10);
    fill.remove(20);
    expect(fill.occupied).toBe(1);
    expect([...drawn(fill)]).toEqual([30]);
    fill.add(10);
    expect([...drawn(fill)].sort((a, b) => a - b)).toEqual([10, 30]);
  });
});
