/**
 * The one-sync-peer machine: candidate choice, progress versus mere answers,
 * the stall and headers-sync timeouts, an outbound peer displacing an
 * inbound sync peer, a chain without the minimum work, departures.
 */
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../src/log/logger.ts";
import { seededRandom } from "../../src/platform/random.ts";
import {
  HEADERS_DOWNLOAD_TIMEOUT_BASE_MS,
  HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MS,
  HeaderSync,
} from "../../src/sync/header_sync.ts";
import type { SyncPeer } from "../../src/sync/sync_peer.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { type FakePeer, fakePeer } from "./fake_peer.ts";

const STALL_MS = 1_000;

function machine(peers: FakePeer[], options: { expected?: number; enoughWork?: boolean } = {}) {
  const clock = new ManualClock();
  const asked: number[] = [];
  let synced = 0;
  const sync = new HeaderSync({
    clock,
    signal: new AbortController().signal,
    stallTimeoutMs: STALL_MS,
    random: seededRandom(1),
    logger: silentLogger,
    peers: () => peers,
    request: (p: SyncPeer) => {
      asked.push(p.id);
      return true;
    },
    expectedHeaders: () => options.expected ?? 0,
    enoughWork: () => options.enoughWork ?? true,
    onSynced: () => synced++,
  });
  const add = (p: FakePeer) => {
    peers.push(p);
    sync.peerAdded(p);
  };
  return { sync, clock, asked, synced: () => synced, add };
}

const withHeight = (id: number, startHeight: number, direction: "inbound" | "outbound") =>
  fakePeer(id, { direction, remoteVersion: { services: 8n, startHeight } });

const progress = { more: true, progressed: true };
const replay = { more: true, progressed: false };
const done = { more: false, progressed: true };

describe("HeaderSync", () => {
  test("outbound peers first, the highest claimed height among them", () => {
    const peers = [
      withHeight(1, 900, "inbound"),
      withHeight(2, 100, "outbound"),
      withHeight(3, 200, "outbound"),
    ];
    const { sync, asked } = machine(peers);
    sync.peerAdded(peers[0]);
    expect(asked).toEqual([3]);
    expect(sync.state).toBe("syncing");
    sync.peerAdded(peers[1]);
    expect(asked).toEqual([3]);
  });

  test("inbound peers are used when no outbound peer is", () => {
    const peers = [withHeight(1, 5, "inbound")];
    const { sync, asked } = machine(peers);
    sync.peerAdded(peers[0]);
    expect(asked).toEqual([1]);
  });

  test("progress keeps the sync peer (restarting its timer); an answer with nothing more ends the sync", () => {
    const peers = [withHeight(1, 5, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, clock, asked, synced } = machine(peers);
    sync.peerAdded(peers[0]);
    const first = asked[0];
    clock.advance(STALL_MS - 100);
    sync.headersReceived(first, progress);
    clock.advance(STALL_MS - 100);
    expect(sync.syncPeer?.id).toBe(first);
    sync.headersReceived(3 - first, done); // another peer's answer changes nothing
    expect(sync.state).toBe("syncing");
    sync.headersReceived(first, done);
    expect(sync.state).toBe("synced");
    expect(synced()).toBe(1);
    clock.advance(HEADERS_DOWNLOAD_TIMEOUT_BASE_MS);
    expect(asked).toEqual([first]);
  });

  test("full answers without new work do not keep a sync peer: it is set aside after the stall timeout", () => {
    const peers = [withHeight(1, 10, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, clock, asked } = machine(peers);
    sync.peerAdded(peers[0]);
    for (let t = 0; t < 4; t++) {
      clock.advance(STALL_MS / 4 - 1);
      sync.headersReceived(1, replay); // a replay of what we have: answered, but no work
    }
    expect(sync.syncPeer?.id).toBe(1);
    clock.advance(4);
    expect(asked).toEqual([1, 2]);
    expect(sync.syncPeer?.id).toBe(2);
  });

  test("a silent sync peer is set aside and the next one asked; with none left it waits", () => {
    const peers = [withHeight(1, 10, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, clock, asked, add } = machine(peers);
    sync.peerAdded(peers[0]);
    clock.advance(STALL_MS);
    expect(asked).toEqual([1, 2]);
    clock.advance(STALL_MS);
    expect(sync.state).toBe("waiting");
    expect(sync.syncPeer).toBe(null);
    add(withHeight(3, 1, "inbound"));
    expect(asked).toEqual([1, 2, 3]);
  });

  test("an inbound sync peer gives way to an outbound peer that connects, and may be chosen again", () => {
    const peers = [withHeight(1, 900, "inbound")];
    const { sync, asked, add } = machine(peers);
    sync.peerAdded(peers[0]);
    expect(sync.syncPeer?.id).toBe(1);
    add(withHeight(2, 100, "inbound"));
    expect(sync.syncPeer?.id).toBe(1);
    add(withHeight(3, 100, "outbound"));
    expect(sync.syncPeer?.id).toBe(3);
    add(withHeight(4, 100, "outbound")); // an outbound sync peer stays
    expect(asked).toEqual([1, 3]);
    peers.splice(2, 2);
    sync.peerRemoved(3);
    sync.peerRemoved(4);
    expect(asked).toEqual([1, 3, 1]); // the inbound peer was not set aside
  });

  test("the headers-sync timeout (15 min + 1 ms per expected header) replaces even a progressing peer", () => {
    const expected = 900_000;
    const timeout = HEADERS_DOWNLOAD_TIMEOUT_BASE_MS +
      HEADERS_DOWNLOAD_TIMEOUT_PER_HEADER_MS * expected;
    expect(timeout).toBe(15 * 60_000 + 900_000);
    const peers = [withHeight(1, 10, "outbound")];
    const { sync, clock, asked, add } = machine(peers, { expected });
    sync.peerAdded(peers[0]);
    // Slow but steady: one bit of progress before each stall timeout.
    for (let t = 0; t < timeout; t += STALL_MS - 1) {
      clock.advance(STALL_MS - 1);
      sync.headersReceived(1, progress);
    }
    // Past the timeout, with no other candidate, it keeps the sync...
    expect(sync.syncPeer?.id).toBe(1);
    // ...until one connects.
    add(withHeight(2, 5, "outbound"));
    expect(sync.syncPeer?.id).toBe(2);
    expect(asked).toEqual([1, 2]);
    // The new sync peer has its own, full timeout.
    clock.advance(STALL_MS - 1);
    sync.headersReceived(2, progress);
    expect(sync.syncPeer?.id).toBe(2);
  });

  test("with another candidate connected, the headers-sync timeout switches at once", () => {
    const peers = [withHeight(1, 10, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, clock, asked } = machine(peers, { expected: 0 });
    sync.peerAdded(peers[0]);
    for (let t = 0; t < HEADERS_DOWNLOAD_TIMEOUT_BASE_MS; t += STALL_MS / 2) {
      clock.advance(STALL_MS / 2);
      if (sync.syncPeer?.id === 1) sync.headersReceived(1, progress);
    }
    expect(asked).toEqual([1, 2]);
  });

  test("a sync peer with nothing more while our chain lacks the minimum work is set aside", () => {
    const peers = [withHeight(1, 10, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, asked, synced } = machine(peers, { enoughWork: false });
    sync.peerAdded(peers[0]);
    sync.headersReceived(1, done);
    expect(synced()).toBe(0);
    expect(asked).toEqual([1, 2]);
    sync.headersReceived(2, done);
    expect(sync.state).toBe("waiting");
  });

  test("the sync peer leaving hands over to the next candidate", () => {
    const peers = [withHeight(1, 10, "outbound"), withHeight(2, 5, "outbound")];
    const { sync, asked } = machine(peers);
    sync.peerAdded(peers[0]);
    peers.shift();
    sync.peerRemoved(1);
    expect(asked).toEqual([1, 2]);
    expect(sync.syncPeer?.id).toBe(2);
  });
});
