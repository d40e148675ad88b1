/** The platform reports process memory (used by /status and /metrics). */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";

describe(`${platform.name} memory usage`, () => {
  test("rss and heap in use are plausible byte counts", () => {
    const m = platform.memory!();
    // A JS runtime with the test suite loaded holds megabytes, and far less than the machine has.
    expect(Number.isSafeInteger(m.rss)).toBe(true);
    expect(Number.isSafeInteger(m.heapUsed)).toBe(true);
    expect(m.rss).toBeGreaterThan(1_000_000);
    expect(m.heapUsed).toBeGreaterThan(100_000);
    expect(m.rss).toBeLessThan(24 * 2 ** 30);
  });
});
