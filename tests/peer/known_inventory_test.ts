/**
 * Known inventory: a bounded most-recently-used set of hashes per peer,
 * filled from what the peer announces and what we announce to it; a flood
 * of bogus entries leaves it at its bound.
 */
import { describe, expect, test } from "bun:test";
import { DEFAULT_KNOWN_INVENTORY_LIMIT, KnownInventory } from "../../src/peer/known_inventory.ts";
import { inventoryPoints } from "../../src/peer/inventory_cost.ts";
import { MSG_TX, MSG_WITNESS_BLOCK } from "../../src/wire/messages/inv.ts";
import { invOf, peerOptions, readyPeer } from "../support/scripted_peer.ts";
import { waitFor } from "../support/wait.ts";

/**
 * Distinct entries in a flood: a hundred times the default bound, so all but
 * the newest 1% must have been evicted (a million before: it proved no more
 * and took ten seconds a runtime).
 */
const FLOOD = 100_000;

function hash(n: number): Uint8Array {
  const h = new Uint8Array(32);
  new DataView(h.buffer).setUint32(28, n);
  return h;
}

describe("KnownInventory", () => {
  test("the default bound is 1,000 per peer", () => {
    expect(DEFAULT_KNOWN_INVENTORY_LIMIT).toBe(1_000);
    expect(new KnownInventory().limit).toBe(1_000);
  });

  test("adds and finds hashes by value, not by array identity", () => {
    const k = new KnownInventory(10);
    k.add(hash(1));
    expect(k.has(hash(1))).toBe(true);
    expect(k.has(hash(2))).toBe(false);
    k.add(hash(1));
    expect(k.size).toBe(1);
  });

  test("evicts the least recently added; re-adding refreshes, has does not", () => {
    const k = new KnownInventory(3);
    k.add(hash(1));
    k.add(hash(2));
    k.add(hash(3));
    k.add(hash(1)); // 1 is now the newest: order 2, 3, 1
    expect(k.has(hash(2))).toBe(true); // a lookup does not refresh 2
    k.add(hash(4)); // evicts 2
    expect([1, 2, 3, 4].map((n) => k.has(hash(n)))).toEqual([true, false, true, true]);
    k.add(hash(5)); // evicts 3
    expect([1, 3, 4, 5].map((n) => k.has(hash(n)))).toEqual([true, false, true, true]);
    expect(k.size).toBe(3);
  });

  test("a hundred times the bound in distinct inserts leaves exactly the bound, the newest kept", () => {
    const k = new KnownInventory();
    const h = new Uint8Array(32);
    const view = new DataView(h.buffer);
    for (let i = 0; i < FLOOD; i++) {
      view.setUint32(0, i, true);
      k.add(h);
    }
    expect(k.size).toBe(1_000);
    view.setUint32(0, FLOOD - 1, true);
    expect(k.has(h)).toBe(true);
    view.setUint32(0, FLOOD - 1_001, true);
    expect(k.has(h)).toBe(false);
    view.setUint32(0, FLOOD - 1_000, true);
    expect(k.has(h)).toBe(true);
  });

  test("rejects a bound below 1", () => {
    expect(() => new KnownInventory(0)).toThrow(RangeError);
  });
});

describe("known inventory of a peer", () => {
  test(
    "a flood of a hundred times the bound in announced entries leaves the cache at its bound",
    async () => {
      // Messages of 500 entries cost no points (inventory_cost.ts), so the
      // whole flood is read and only the cache's bound holds it back.
      const perMessage = 500;
      expect(inventoryPoints(perMessage)).toBe(0);
      const t = await readyPeer("outbound");
      const messages = FLOOD / perMessage;
      for (let i = 0; i < messages; i++) await t.remote.send(invOf(perMessage, i));
      await waitFor(() => t.events.messages.length === messages, "all invs delivered", 20_000);
      expect(t.peer.known.size).toBe(1_000);
      expect(t.peer.stats().knownInventory).toBe(1_000);
      expect(t.peer.state).toBe("ready");
      // The newest announcement is known, an early one is not.
      const last = invOf(perMessage, messages - 1).items.at(-1)!;
      expect(t.peer.known.has(last.hash)).toBe(true);
      expect(t.peer.known.has(invOf(1, 0).items[0].hash)).toBe(false);
      await t.peer.disconnect("test over");
    },
    30_000,
  );

  test("transaction entries are not remembered (blocks-only)", () => {
    const k = new KnownInventory(10);
    k.addItems([{ type: MSG_TX, hash: hash(1) }, { type: MSG_WITNESS_BLOCK, hash: hash(2) }]);
    expect([k.has(hash(1)), k.has(hash(2))]).toEqual([false, true]);
  });

  test("what we announce becomes known; the bound is configurable", async () => {
    const t = await readyPeer("inbound", peerOptions({ knownInventoryLimit: 5 }));
    expect(t.peer.send(invOf(3, 7))).toBe(true);
    expect(t.peer.known.size).toBe(3);
    expect(t.peer.known.has(invOf(3, 7).items[2].hash)).toBe(true);
    t.peer.send(invOf(10, 8));
    expect(t.peer.known.size).toBe(5);
    await t.peer.disconnect("test over");
  });
});
