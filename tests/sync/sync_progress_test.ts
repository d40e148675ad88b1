/** Header sync progress: peer heights, caught-up flag, and the headers-per-second window. */
import { describe, expect, test } from "bun:test";
import { HeaderSyncProgress, SYNC_RATE_WINDOW_SECONDS } from "../../src/sync/sync_progress.ts";

describe("header sync progress", () => {
  test("reports peers' heights, the best one, and whether we caught up", () => {
    const progress = new HeaderSyncProgress(() => 0);
    expect(progress.status(0)).toMatchObject({ bestPeerHeight: -1, caughtUp: false });
    progress.setPeerHeight(1, 800_000);
    progress.setPeerHeight(2, 850_000);
    progress.setPeerHeight(2, 849_000); // heights never go down for a peer
    expect(progress.status(10)).toEqual({
      height: 10,
      bestPeerHeight: 850_000,
      peerHeights: { "1": 800_000, "2": 850_000 },
      headersPerSecond: 0,
      caughtUp: false,
    });
    expect(progress.status(850_000).caughtUp).toBe(true);
    progress.removePeer(2);
    expect(progress.status(800_000)).toMatchObject({ bestPeerHeight: 800_000, caughtUp: true });
  });

  test("headers per second average the last window and forget older seconds", () => {
    let now = 1_000_000;
    const progress = new HeaderSyncProgress(() => now);
    for (let s = 0; s < SYNC_RATE_WINDOW_SECONDS; s++) {
      progress.recordAccepted(2000);
      now += 1000;
    }
    now -= 1000;
    expect(progress.status(0).headersPerSecond).toBe(2000);
    now += 5000; // five seconds of silence
    expect(progress.status(0).headersPerSecond).toBe(1000);
    now += 60_000;
    expect(progress.status(0).headersPerSecond).toBe(0);
    progress.recordAccepted(50);
    expect(progress.status(0).headersPerSecond).toBe(5);
  });
});
