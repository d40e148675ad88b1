/**
 * Chain-sync eviction (Core's ConsiderEviction) on the manual clock, over a
 * fake block side: an outbound peer behind our tip gets 20 minutes, then one
 * getheaders from the parent of the tip of that time, then 2 minutes, then
 * it goes; catching up clears the deadline, catching up with an old tip only
 * sets a new one; the first 4 full-relay peers to show our tip's work are
 * protected for good, block-relay-only peers never; nothing happens before
 * header sync has started with the peer.
 */
import { describe, expect, test } from "bun:test";
import type { ChainView, PeerChainFacts } from "../../src/connmgr/chain_view.ts";
import {
  CHAIN_SYNC_TIMEOUT_MS,
  ChainSyncWatch,
  HEADERS_RESPONSE_TIME_MS,
  MAX_OUTBOUND_PEERS_TO_PROTECT,
} from "../../src/connmgr/chain_sync.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { ManualClock } from "../support/manual_clock.ts";

/** A block side whose tip and peers' best work the test sets. */
class FakeChain implements ChainView {
  work = 100n;
  hash = Uint8Array.of(1);
  readonly best = new Map<number, bigint>();
  readonly requests: { id: number; hash: number }[] = [];
  started = true;

  tip() {
    return { work: this.work, hash: this.hash, time: 0 };
  }
  lastTipChangeAt(): number {
    return 0;
  }
  peerChain(id: number): PeerChainFacts {
    return { bestWork: this.best.get(id) ?? null, lastAnnouncementAt: 0, lastBlockAt: 0 };
  }
  syncStarted(): boolean {
    return this.started;
  }
  blocksInFlight(): number {
    return 0;
  }
  requestHeadersFrom(id: number, hash: Uint8Array): void {
    this.requests.push({ id, hash: hash[0] });
  }
  /** Our tip moves to `work` (a new hash byte `tag`). */
  advance(work: bigint, tag: number): void {
    this.work = work;
    this.hash = Uint8Array.of(tag);
  }
}

function setup() {
  const clock = new ManualClock();
  const chain = new FakeChain();
  const evicted: { id: number; reason: string }[] = [];
  const abort = new AbortController();
  const watch = new ChainSyncWatch({
    chain,
    clock,
    signal: abort.signal,
    logger: silentLogger,
    evict: (id, reason) => evicted.push({ id, reason }),
  });
  return { clock, chain, watch, evicted, abort };
}

describe("chain-sync eviction", () => {
  test("Core's timers: 20 minutes, one getheaders from the old tip's parent, 2 minutes, gone", () => {
    const { clock, chain, watch, evicted } = setup();
    chain.best.set(1, 90n); // behind our tip (work 100)
    watch.add(1, "outbound-full-relay");
    clock.advance(CHAIN_SYNC_TIMEOUT_MS - 1);
    expect(chain.requests).toEqual([]);
    clock.advance(1);
    // The getheaders asks from the tip of the time (hash 1): its answer would hold it.
    expect(chain.requests).toEqual([{ id: 1, hash: 1 }]);
    clock.advance(HEADERS_RESPONSE_TIME_MS - 1);
    expect(evicted).toEqual([]);
    clock.advance(1);
    expect(evicted.map((e) => e.id)).toEqual([1]);
    expect(evicted[0].reason).toContain("old chain");
    expect(clock.pending).toBe(0);
  });

  test("block-relay-only peers are judged the same way; feelers and inbound not at all", () => {
    const { clock, watch, evicted } = setup();
    watch.add(1, "block-relay-only");
    watch.add(2, "feeler");
    watch.add(3, "inbound");
    watch.add(4, "manual");
    clock.advance(CHAIN_SYNC_TIMEOUT_MS + HEADERS_RESPONSE_TIME_MS);
    expect(evicted.map((e) => e.id)).toEqual([1]);
  });

  test("a peer that shows our tip's work in time stays, its deadline cleared", () => {
    const { clock, chain, watch, evicted } = setup();
    chain.best.set(1, 90n);
    watch.add(1, "block-relay-only");
    clock.advance(CHAIN_SYNC_TIMEOUT_MS);
    expect(chain.requests.length).toBe(1);
    // Its answer shows our tip: the block side reports the peer's better header.
    chain.best.set(1, 100n);
    watch.chainMoved(1, false);
    clock.advance(10 * CHAIN_SYNC_TIMEOUT_MS);
    expect(evicted).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  test("catching up with the old tip only, while ours moved on, sets a new deadline", () => {
    const { clock, chain, watch, evicted } = setup();
    chain.best.set(1, 90n);
    watch.add(1, "block-relay-only");
    clock.advance(10 * 60_000);
    chain.advance(110n, 2); // our tip moves
    watch.chainMoved(null, true);
    clock.advance(5 * 60_000);
    chain.best.set(1, 100n); // the peer reaches our old tip (work 100), not the new one
    watch.chainMoved(1, false);
    // A new 20-minute deadline from now, on the new tip (hash 2).
    clock.advance(CHAIN_SYNC_TIMEOUT_MS - 1);
    expect(chain.requests).toEqual([]);
    clock.advance(1);
    expect(chain.requests).toEqual([{ id: 1, hash: 2 }]);
    clock.advance(HEADERS_RESPONSE_TIME_MS);
    expect(evicted.map((e) => e.id)).toEqual([1]);
  });

  test("a peer that never showed anything is judged as behind", () => {
    const { clock, watch, evicted } = setup();
    watch.add(1, "outbound-full-relay");
    clock.advance(CHAIN_SYNC_TIMEOUT_MS + HEADERS_RESPONSE_TIME_MS);
    expect(evicted.map((e) => e.id)).toEqual([1]);
  });

  test("nothing before header sync has started with the peer", () => {
    const { clock, chain, watch, evicted } = setup();
    chain.started = false;
    watch.add(1, "outbound-full-relay");
    clock.advance(10 * CHAIN_SYNC_TIMEOUT_MS);
    expect(evicted).toEqual([]);
    chain.started = true;
    watch.checkAll(); // the periodic check
    clock.advance(CHAIN_SYNC_TIMEOUT_MS + HEADERS_RESPONSE_TIME_MS);
    expect(evicted.map((e) => e.id)).toEqual([1]);
  });

  test("the first 4 full-relay peers with our tip's work are protected for good", () => {
    const { clock, chain, watch, evicted } = setup();
    for (let id = 1; id <= 6; id++) {
      chain.best.set(id, 100n);
      watch.add(id, id === 6 ? "block-relay-only" : "outbound-full-relay");
    }
    expect(MAX_OUTBOUND_PEERS_TO_PROTECT).toBe(4);
    expect(watch.protectedCount).toBe(4);
    expect([1, 2, 3, 4, 5, 6].map((id) => watch.isProtected(id))).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
    ]);
    // Our tip moves past all of them: only the unprotected ones are judged.
    chain.advance(200n, 9);
    watch.chainMoved(null, true);
    clock.advance(CHAIN_SYNC_TIMEOUT_MS + HEADERS_RESPONSE_TIME_MS);
    expect(evicted.map((e) => e.id).sort()).toEqual([5, 6]);
    // A protected peer that leaves frees its place for the next one to earn it.
    watch.remove(1);
    expect(watch.protectedCount).toBe(3);
    chain.best.set(7, 200n);
    watch.add(7, "outbound-full-relay");
    expect(watch.isProtected(7)).toBe(true);
  });

  test("a stopped manager cancels the deadlines", () => {
    const { clock, watch, evicted, abort } = setup();
    watch.add(1, "outbound-full-relay");
    abort.abort();
    expect(clock.pending).toBe(0);
    clock.advance(CHAIN_SYNC_TIMEOUT_MS + HEADERS_RESPONSE_TIME_MS);
    expect(evicted).toEqual([]);
  });
});
