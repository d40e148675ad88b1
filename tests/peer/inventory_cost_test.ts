/**
 * Large inventory messages cost transient misbehaviour points in proportion
 * to their entries: two full-sized `inv` or `getdata` within a half-life
 * ban the sender, small ones cost nothing, and the cost fades with time.
 */
import { describe, expect, test } from "bun:test";
import { FULL_INVENTORY_POINTS, inventoryPoints } from "../../src/peer/inventory_cost.ts";
import { TRANSIENT_HALF_LIFE_MS } from "../../src/peer/misbehaviour.ts";
import { MAX_INV_ENTRIES } from "../../src/wire/messages/inv.ts";
import { ManualClock } from "../support/manual_clock.ts";
import { invOf, peerOptions, readyPeer } from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";

describe("inventoryPoints", () => {
  test("a full message costs 99; up to 505 entries cost nothing", () => {
    expect(inventoryPoints(MAX_INV_ENTRIES)).toBe(FULL_INVENTORY_POINTS);
    expect(FULL_INVENTORY_POINTS).toBe(99);
    expect(inventoryPoints(1)).toBe(0);
    expect(inventoryPoints(505)).toBe(0);
    expect(inventoryPoints(506)).toBe(1);
    expect(inventoryPoints(25_000)).toBe(49);
  });
});

describe("a peer sending large inventory messages", () => {
  for (const command of ["inv", "getdata"] as const) {
    test(`two full ${command} messages in a row ban it; the second is not delivered`, async () => {
      const t = await readyPeer("inbound", peerOptions({ clock: new ManualClock() }));
      const full = { ...invOf(MAX_INV_ENTRIES, 1), command };
      await t.remote.send(full);
      await waitFor(() => t.events.messages.length === 1, "first delivered");
      expect(t.peer.stats().banScore).toBe(FULL_INVENTORY_POINTS);
      expect(t.peer.state).toBe("ready");
      await t.remote.send(full);
      await waitFor(() => t.events.disconnected.length === 1, "disconnect");
      expect(t.events.misbehaving).toMatchObject([{ banned: true }]);
      expect(t.events.misbehaving[0].reason).toBe(`${command} of ${MAX_INV_ENTRIES} entries`);
      expect(t.events.messages.length).toBe(1);
    });
  }

  test("the cost fades: one full inv per ten half-lives never bans", async () => {
    const clock = new ManualClock();
    const quiet = 100 * TRANSIENT_HALF_LIFE_MS; // no ping or inactivity timeout meanwhile
    const timeouts = { pingIntervalMs: quiet, pingTimeoutMs: quiet, inactivityMs: quiet };
    const t = await readyPeer("inbound", peerOptions({ clock, timeouts }));
    for (let i = 0; i < 5; i++) {
      await t.remote.send(invOf(MAX_INV_ENTRIES, i));
      await waitFor(() => t.events.messages.length === i + 1, `inv ${i} delivered`);
      clock.advance(10 * TRANSIENT_HALF_LIFE_MS);
    }
    expect(t.peer.state).toBe("ready");
    expect(t.events.misbehaving).toEqual([]);
    await t.peer.disconnect("test over");
  });
});
