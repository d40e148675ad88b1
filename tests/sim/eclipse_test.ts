/**
 * The eclipse scenario at a small scale: an attacker with 5,000 addresses
 * in 10 /16 groups floods the victim's address book until nearly all of
 * its new table is the attacker's, yet after a restart the victim still
 * has outbound peers outside the attacker's groups (its anchors, at least:
 * its block-relay-only peers), reaches the honest tip while the attacker
 * serves a stale chain, and the attacker's address-relay probe never finds
 * its block-relay-only peers.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { runEclipseScenario } from "../../sim/eclipse.ts";
import { RegtestMiner } from "../support/regtest_blocks.ts";

describe("eclipse attempt on a simulated network", () => {
  test("after the flood and a restart the victim keeps honest outbound peers", async () => {
    const miner = new RegtestMiner(platform.sha256);
    const f = await runEclipseScenario({
      sha256: platform.sha256,
      crypto: platform, // BIP324 v2 on, the default
      seed: 3,
      honest: 20,
      attackMs: 30 * 60_000,
      offlineMs: 20 * 60_000,
      afterRestartMs: 5 * 60_000,
      mine: (prev, height, time) => miner.build(prev, height, [], time),
    });
    expect(f.attackerAddresses).toBe(5_000);
    // The flood worked: the attacker owns most of the victim's new table...
    expect(f.before.newAttacker).toBeGreaterThan(f.before.newEntries / 2);
    expect(f.attackerAddrMessages).toBeGreaterThan(100);
    // Chain-sync eviction took no honest outbound peer (it did when the
    // world began at genesis: see HONEST_START_MS in sim/eclipse.ts).
    expect(f.evicted.filter((e) => e.rule === "chain-sync" && e.honest)).toEqual([]);
    // ...yet the restarted victim has filled its slots and is not eclipsed.
    expect(f.after.outbound).toBe(8);
    expect(f.after.honestOutbound).toBeGreaterThanOrEqual(1);
    // The honest chain moved on while the victim was down and the attacker's
    // peers serve a stale one; it caught up well within 40 virtual minutes.
    expect(f.staleHeight).toBeGreaterThan(0);
    expect(f.honestTipMs).not.toBe(null);
    expect(f.honestTipMs!).toBeLessThanOrEqual(40 * 60_000);
    // Its anchors are its two block-relay-only peers, both honest.
    expect(f.anchors.map((a) => `${a.kind} ${a.honest}`)).toEqual([
      "block-relay-only true",
      "block-relay-only true",
    ]);
    // The address-relay probe found some of its honest full-relay peers but
    // none of its block-relay-only ones: no address crossed those connections.
    expect(f.probe.fullRelay.revealed).toBeGreaterThan(0);
    expect(f.probe.blockRelay.honest).toBeGreaterThan(0);
    expect(f.probe.blockRelay.revealed).toBe(0);
    expect(f.probe.blockRelayAddrSent + f.probe.blockRelayAddrReceived).toBe(0);
  }, 180_000);
});
