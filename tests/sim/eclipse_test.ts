/**
 * The eclipse scenario at a small scale: an attacker with 5,000 addresses
 * in 10 /16 groups floods the victim's address book until nearly all of
 * its new table is the attacker's, yet after a restart the victim still
 * has outbound peers outside the attacker's groups (its anchors, at least).
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { runEclipseScenario } from "../../sim/eclipse.ts";

describe("eclipse attempt on a simulated network", () => {
  test("after the flood and a restart the victim keeps honest outbound peers", async () => {
    const f = await runEclipseScenario({
      sha256: platform.sha256,
      crypto: platform,
      seed: 3,
      honest: 20,
      attackMs: 30 * 60_000,
      afterRestartMs: 5 * 60_000,
    });
    expect(f.attackerAddresses).toBe(5_000);
    // The flood worked: the attacker owns most of the victim's new table...
    expect(f.before.newAttacker).toBeGreaterThan(f.before.newEntries / 2);
    expect(f.attackerAddrMessages).toBeGreaterThan(100);
    // ...yet the restarted victim has filled its slots and is not eclipsed.
    expect(f.after.outbound).toBe(8);
    expect(f.after.honestOutbound).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
