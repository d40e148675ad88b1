/** The one-sync-peer machine: candidate choice, continuing on full answers, stalls, departures. */
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/log/logger.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { HeaderSync } from "../../src/sync/header_sync.ts";
import type { SyncPeer } from "../../src/sync/sync_peer.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { type FakePeer, fakePeer } from "./fake_peer.ts";

function machine(peers: FakePeer[]) {
  const clock = new ManualClock();
  const asked: number[] = [];
  let synced = 0;
  const sync = new HeaderSync({
    clock,
    signal: new AbortController().signal,
    stallTimeoutMs: 1_000,
    random: seededRandom(1),
    logger: silentLogger,
    peers: () => peers,
    request: (p: SyncPeer) => {
      asked.push(p.id);
      return true;
    },
    onSynced: () => synced++,
  });
  return { sync, clock, asked, synced: () => synced };
}

const withHeight = (id: number, startHeight: number, direction: "inbound" | "outbound") =>
  fakePeer(id, { direction, remoteVersion: { services: 8n, startHeight } });

describe("HeaderSync", () => {
  test("outbound peers first, the highest claimed height among them", () => {
    const peers = [
      withHeight(1, 900, "inbound"),
      withHeight(2, 100, "outbound"),
      withHeight(3, 200, "outbound"),
    ];
    const { sync, asked } = machine(peers);
    sync.peerAdded();
    expect(asked).toEqual([3]);
    expect(sync.state).toBe("syncing");
    sync.peerAdded();
    expect(asked).toEqual([3]);
  });

  test("inbound peers are used when no outbound peer is", () => {
    const { sync, asked } = machine([withHeight(1, 5, "inbound")]);
    sync.peerAdded();
    expect(asked).toEqual([1]);
  });

  test("a full answer keeps the sync peer (restarting its timer); a short one ends the sync", () => {
    const { sync, clock, asked, synced } = machine([
      withHeight(1, 5, "outbound"),
      withHeight(2, 5, "outbound"),
    ]);
    sync.peerAdded();
    const first = asked[0];
    clock.advance(900);
    sync.headersReceived(first, true);
    clock.advance(900);
    expect(sync.syncPeer?.id).toBe(first);
    sync.headersReceived(3 - first, false); // another peer's answer changes nothing
    expect(sync.state).toBe("syncing");
    sync.headersReceived(first, false);
    expect(sync.state).toBe("synced");
    expect(synced()).toBe(1);
    clock.advance(5_000);
    expect(asked).toEqual([first]);
  });

  test("a stalled sync peer is set aside and the next one asked; with none left it waits", () => {
    const peers = [withHeight(1, 10, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, clock, asked } = machine(peers);
    sync.peerAdded();
    clock.advance(1_000);
    expect(asked).toEqual([1, 2]);
    clock.advance(1_000);
    expect(sync.state).toBe("waiting");
    expect(sync.syncPeer).toBe(null);
    peers.push(withHeight(3, 1, "inbound"));
    sync.peerAdded();
    expect(asked).toEqual([1, 2, 3]);
  });

  test("the sync peer leaving hands over to the next candidate", () => {
    const peers = [withHeight(1, 10, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, asked } = machine(peers);
    sync.peerAdded();
    peers.shift();
    sync.peerRemoved(1);
    expect(asked).toEqual([1, 2]);
    expect(sync.syncPeer?.id).toBe(2);
  });
});
