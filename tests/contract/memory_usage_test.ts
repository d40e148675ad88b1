/** The platform reports process memory (used by /status and /metrics). */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";

describe(`${platform.name} memory usage`, () => {
  test("rss and heap are positive byte counts and the heap grows with allocation", () => {
    const before = platform.memory!();
    expect(before.rss).toBeGreaterThan(1_000_000);
    expect(before.heapUsed).toBeGreaterThan(100_000);
    const hold = Array.from({ length: 200_000 }, (_, i) => ({ i, s: `x${i}` }));
    const after = platform.memory!();
    expect(after.heapUsed).toBeGreaterThan(before.heapUsed);
    expect(hold.length).toBe(200_000);
  });
});
