/**
 * Stale-tip defences on the manual clock: the tip judged every 10 minutes
 * (stale after 3 block intervals without change and nothing in flight: one
 * extra full-relay peer allowed until one is evicted), extra block-relay-only
 * peers every few minutes once the tip is recent, and which extra peer goes
 * (Core's EvictExtraOutboundPeers).
 */
import { describe, expect, test } from "bun:test";
import type { ChainView } from "../../src/connmgr/chain_view.ts";
import {
  extraBlockRelayToEvict,
  extraFullRelayToEvict,
  MINIMUM_CONNECT_TIME_MS,
  type OutboundPeerFacts,
} from "../../src/connmgr/outbound_eviction.ts";
import {
  EXTRA_BLOCK_RELAY_INTERVAL_MS,
  EXTRA_PEER_CHECK_INTERVAL_MS,
  STALE_CHECK_INTERVAL_MS,
  StaleTipCheck,
} from "../../src/connmgr/stale_tip.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { settle } from "../support/wait.ts";

const NOW = 1_700_000_000_000;
/** Mainnet's block interval, seconds. */
const SPACING = 600;

describe("which extra outbound peer goes", () => {
  let nextId = 1;
  const facts = (over: Partial<OutboundPeerFacts>): OutboundPeerFacts => ({
    id: nextId++,
    kind: "outbound-full-relay",
    network: "ipv4",
    connectedAt: NOW - 3_600_000,
    protect: false,
    lastAnnouncementAt: 0,
    lastBlockAt: 0,
    blocksInFlight: 0,
    ...over,
  });

  test("full-relay: the least recent announcer, ties to the youngest, never a protected one", () => {
    const peers = Array.from({ length: 8 }, (_, i) => facts({ lastAnnouncementAt: NOW - i }));
    expect(extraFullRelayToEvict(peers, 8, [], NOW)).toBeUndefined(); // not past the target
    const extra = facts({ lastAnnouncementAt: NOW });
    const all = [...peers, extra];
    expect(extraFullRelayToEvict(all, 8, [], NOW)).toBe(peers[7].id);
    // Protected peers are skipped; among equals the youngest goes.
    const quiet = [...peers.map((p) => ({ ...p, lastAnnouncementAt: 0 })), extra];
    expect(extraFullRelayToEvict(quiet, 8, [], NOW)).toBe(peers[7].id);
    quiet[7] = { ...quiet[7], protect: true };
    expect(extraFullRelayToEvict(quiet, 8, [], NOW)).toBe(peers[6].id);
  });

  test("full-relay: the only one on its network stays (manual peers count), and young ones wait", () => {
    const ipv4 = Array.from({ length: 8 }, () => facts({ lastAnnouncementAt: NOW }));
    const onion = facts({ network: "onion" });
    expect(extraFullRelayToEvict([...ipv4, onion], 8, [], NOW)).toBe(ipv4[7].id);
    expect(extraFullRelayToEvict([...ipv4, onion], 8, ["onion"], NOW)).toBe(onion.id);
    // Chosen, but connected under 30 s or downloading from: nobody goes this round.
    const young = facts({ connectedAt: NOW - MINIMUM_CONNECT_TIME_MS + 1 });
    expect(extraFullRelayToEvict([...ipv4, young], 8, [], NOW)).toBeUndefined();
    const busy = facts({ blocksInFlight: 1 });
    expect(extraFullRelayToEvict([...ipv4, busy], 8, [], NOW)).toBeUndefined();
  });

  test("block-relay-only: the youngest, unless it gave a block more recently than the next", () => {
    const kind = "block-relay-only" as const;
    const [a, b] = [
      facts({ kind, lastBlockAt: NOW - 100 }),
      facts({ kind, lastBlockAt: NOW - 50 }),
    ];
    expect(extraBlockRelayToEvict([a, b], 2, NOW)).toBeUndefined();
    const useless = facts({ kind });
    expect(extraBlockRelayToEvict([a, b, useless], 2, NOW)).toBe(useless.id);
    const useful = facts({ kind, lastBlockAt: NOW - 10 });
    expect(extraBlockRelayToEvict([a, b, useful], 2, NOW)).toBe(b.id);
    const tooYoung = facts({ kind, connectedAt: NOW - 1_000 });
    expect(extraBlockRelayToEvict([a, b, tooYoung], 2, NOW)).toBeUndefined();
    // Full-relay peers are not counted.
    expect(extraBlockRelayToEvict([a, b, facts({})], 2, NOW)).toBeUndefined();
  });
});

describe("the stale-tip check", () => {
  function setup(over: { tipChangedAt?: number; tipTime?: number; inFlight?: number } = {}) {
    const clock = new ManualClock(NOW);
    const state = {
      tipChangedAt: over.tipChangedAt ?? NOW,
      tipTime: over.tipTime ?? 0,
      inFlight: over.inFlight ?? 0,
      evictFull: false,
    };
    const chain: ChainView = {
      tip: () => ({ work: 1n, hash: new Uint8Array(32), time: state.tipTime }),
      lastTipChangeAt: () => state.tipChangedAt,
      peerChain: () => undefined,
      syncStarted: () => true,
      blocksInFlight: () => state.inFlight,
      requestHeadersFrom: () => {},
    };
    const stale: number[] = [];
    let wakes = 0;
    let checks = 0;
    const abort = new AbortController();
    const check = new StaleTipCheck({
      chain,
      clock,
      random: seededRandom(5),
      signal: abort.signal,
      logger: silentLogger,
      blockIntervalSeconds: SPACING,
      evictExtra: () => state.evictFull,
      checkChainSync: () => checks++,
      onStaleTip: (at) => stale.push(at),
      wakeOutbound: () => wakes++,
    });
    void check.run();
    return { clock, state, check, stale, abort, wakes: () => wakes, checks: () => checks };
  }

  test("no tip change for 30 minutes: judged stale at the next 10-minute check", async () => {
    const t = setup();
    await advance(t.clock, 30 * 60_000);
    // Checks at 10, 20 and 30 minutes: at 30 the tip is exactly 30 minutes old, not older.
    expect(t.check.tryExtraFullRelay).toBe(false);
    expect(t.checks()).toBeGreaterThanOrEqual(30 * 60_000 / EXTRA_PEER_CHECK_INTERVAL_MS - 1);
    await advance(t.clock, STALE_CHECK_INTERVAL_MS);
    expect(t.check.tryExtraFullRelay).toBe(true);
    expect(t.stale).toEqual([NOW]);
    expect(t.wakes()).toBeGreaterThan(0);
    // The extra peer was tried and one was evicted: no more extras until the next judgement.
    t.state.evictFull = true;
    await advance(t.clock, EXTRA_PEER_CHECK_INTERVAL_MS);
    expect(t.check.tryExtraFullRelay).toBe(false);
    t.abort.abort();
  });

  test("a fresh tip, or a block in flight, is not stale", async () => {
    const fresh = setup();
    fresh.state.tipChangedAt = NOW + 25 * 60_000;
    await advance(fresh.clock, 45 * 60_000);
    expect(fresh.stale).toEqual([]);
    fresh.abort.abort();
    const busy = setup({ inFlight: 1 });
    await advance(busy.clock, 2 * 3_600_000);
    expect(busy.stale).toEqual([]);
    busy.abort.abort();
  });

  test("extra block-relay-only peers begin once the tip is recent, every few minutes", async () => {
    const old = setup({ tipTime: Math.floor(NOW / 1000) - 21 * SPACING });
    await advance(old.clock, 3_600_000);
    expect(old.check.takeExtraBlockRelay()).toBe(false);
    old.abort.abort();

    const t = setup({ tipTime: Math.floor(NOW / 1000) });
    let taken = 0;
    for (let m = 0; m < 240; m++) {
      await advance(t.clock, 60_000);
      if (t.check.takeExtraBlockRelay()) taken++;
    }
    // About one per EXTRA_BLOCK_RELAY_INTERVAL_MS (5 minutes) over 4 hours: 48.
    const expected = 240 * 60_000 / EXTRA_BLOCK_RELAY_INTERVAL_MS;
    expect(taken).toBeGreaterThan(expected * 0.6);
    expect(taken).toBeLessThan(expected * 1.4);
    t.abort.abort();
  });
});

/** Advances the manual clock in check-sized steps, letting the check loop's sleeps resolve. */
async function advance(clock: ManualClock, ms: number): Promise<void> {
  for (let done = 0; done < ms; done += EXTRA_PEER_CHECK_INTERVAL_MS) {
    clock.advance(Math.min(EXTRA_PEER_CHECK_INTERVAL_MS, ms - done));
    await settle(1);
  }
}
