/**
 * A whole node on a simulated network running on a virtual clock, whose
 * tip never moves: after 3 block intervals the stale-tip check allows one
 * extra full-relay peer (a "tip.stale" event), the outbound slots open a
 * 9th full-relay connection, and the next extra-peer check evicts one (a
 * "peer.evicted" event, rule "extra-full-relay"), back to 8.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { SimNetwork } from "../../adapters/sim/network.ts";
import { VirtualClock } from "../../adapters/sim/virtual_clock.ts";
import type { NodeEvent } from "../../src/api/source.ts";
import {
  addressesOf,
  FAST,
  hostIp,
  preloadBook,
  readyOutbound,
  remoteNodes,
  simNode,
  stoppedAfterEach,
} from "../support/sim_node.ts";

const running = stoppedAfterEach();

/** The longest virtual wait of the test (the tip is judged stale after 30 to 41 minutes). */
const VIRTUAL_LIMIT_MS = 60 * 60_000;

describe("stale tip", () => {
  test("a stale tip brings a 9th full-relay peer, then the extra one is evicted", async () => {
    const clock = new VirtualClock({ startMs: Date.now() });
    const net = new SimNetwork({ sha256: platform.sha256, clock });
    const hosts = Array.from({ length: 14 }, (_, i) => hostIp(i));
    await remoteNodes(net, hosts);
    // Core's pacing (the test timings poll every 20 ms: too many timers for an hour).
    const sim = simNode(net, {}, {
      ...FAST,
      conn: { ...FAST.conn, recheckMs: 5_000, failedDialPauseMs: 500 },
    });
    await preloadBook(net, sim.node.datadir, addressesOf(hosts));
    running.push(sim);
    const events: NodeEvent[] = [];
    const listening = new AbortController();
    void (async () => {
      for await (const e of sim.node.events(listening.signal)) events.push(e);
    })();
    const starting = sim.node.start();
    await clock.advance(1_000);
    await starting;

    let most = 0;
    const full = () => readyOutbound(sim.node).length;
    const evictedExtra = () =>
      events.some((e) => e.type === "peer.evicted" && e.data.rule === "extra-full-relay");
    await clock.advance(VIRTUAL_LIMIT_MS, () => {
      most = Math.max(most, full());
      return evictedExtra();
    });
    listening.abort();
    const stale = events.find((e) => e.type === "tip.stale");
    expect(stale).toBeDefined();
    expect(stale!.type === "tip.stale" && stale!.data.staleSeconds).toBeGreaterThan(30 * 60);
    expect(most).toBe(9);
    expect(evictedExtra()).toBe(true);
    const evicted = events.find((e) => e.type === "peer.evicted")!;
    expect(evicted.type === "peer.evicted" && evicted.data.connectionType)
      .toBe("outbound-full-relay");
    await clock.advance(1_000);
    expect(full()).toBe(8);
    // Stop the node on the virtual clock (the cleanup's stop then returns at once).
    const stopping = sim.node.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await clock.advance(10_000, () => stopped);
    await stopping;
  });
});
