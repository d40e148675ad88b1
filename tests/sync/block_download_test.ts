/** Blocks in flight: per-peer and total bounds, release, timeouts on the clock. */
import { describe, expect, test } from "bun:test";
import { BlockDownload } from "../../src/sync/block_download.ts";
import { ManualClock } from "../support/manual_clock.ts";

const hash = (n: number) => new Uint8Array(32).fill(n);

function tracker(perPeer = 2, total = 3) {
  const clock = new ManualClock();
  const abort = new AbortController();
  const expired: Array<[number, number]> = [];
  const download = new BlockDownload({
    clock,
    signal: abort.signal,
    perPeer,
    total,
    timeoutMs: 1_000,
    onTimeout: (h, peerId) => expired.push([h[0], peerId]),
  });
  return { clock, abort, expired, download };
}

describe("BlockDownload", () => {
  test("requests are bounded per peer and in total; a hash is in flight once", () => {
    const { download } = tracker();
    expect(download.request(1, hash(1))).toBe(true);
    expect(download.request(2, hash(1))).toBe(false);
    expect(download.request(1, hash(2))).toBe(true);
    expect(download.canRequest(1)).toBe(false);
    expect(download.request(1, hash(3))).toBe(false);
    expect(download.request(2, hash(3))).toBe(true);
    expect(download.canRequest(3)).toBe(false);
    expect(download.size).toBe(3);
    expect(download.countFor(1)).toBe(2);
  });

  test("release frees a slot, only for the peer it was asked of when given", () => {
    const { download } = tracker();
    download.request(1, hash(1));
    expect(download.release(hash(1), 2)).toBeUndefined();
    expect(download.has(hash(1))).toBe(true);
    expect(download.release(hash(1))).toBe(1);
    expect(download.has(hash(1))).toBe(false);
    expect(download.release(hash(1))).toBeUndefined();
  });

  test("a request expires after the timeout; released ones and a departed peer's do not", () => {
    const { clock, expired, download } = tracker(4, 8);
    download.request(1, hash(1));
    download.request(1, hash(2));
    download.request(2, hash(3));
    download.release(hash(2));
    expect(download.releasePeer(2).map((h) => h[0])).toEqual([3]);
    clock.advance(999);
    expect(expired).toEqual([]);
    clock.advance(1);
    expect(expired).toEqual([[1, 1]]);
    expect(download.size).toBe(0);
    expect(clock.pending).toBe(0);
  });

  test("aborting the signal cancels every timer", () => {
    const { clock, abort, expired, download } = tracker();
    download.request(1, hash(1));
    abort.abort();
    clock.advance(5_000);
    expect(expired).toEqual([]);
  });
});
