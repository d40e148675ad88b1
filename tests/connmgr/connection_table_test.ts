/**
 * The connection table alone: a reserved dial marks its address busy until
 * it is released or its connection ends; `count` filters by kind, handshake,
 * persistence and dials; `usedGroups` gives the groups the one-per-group
 * rule checks; and the kinds are Core's names, with the automatic ones
 * derived from their traits.
 */
import { describe, expect, test } from "bun:test";
import { AUTOMATIC_KINDS, CONN_KINDS } from "../../src/connmgr/connection.ts";
import { ConnectionTable } from "../../src/connmgr/connection_table.ts";
import type { Peer } from "../../src/peer/peer.ts";

/** A stand-in peer: the table reads only its id. */
function peer(id: number): Peer {
  return { id } as unknown as Peer;
}

describe("connection table", () => {
  test("a dial is busy from its reservation to its release", () => {
    const t = new ConnectionTable();
    const r = t.reserve("outbound-full-relay", "1.2.3.4:8333", "g1");
    expect(t.busy("1.2.3.4:8333")).toBe(true);
    expect(t.count({ dials: true })).toBe(1);
    expect(t.count()).toBe(0);
    t.release(r);
    t.release(r); // again: nothing
    expect(t.busy("1.2.3.4:8333")).toBe(false);
    expect(t.count({ dials: true })).toBe(0);
  });

  test("a connection keeps its dial's busy mark until it closes; inbound marks none", () => {
    const t = new ConnectionTable();
    const r = t.reserve("manual", "1.2.3.4:8333", null, true);
    const c = t.connected(r, peer(1), false);
    expect(t.busy("1.2.3.4:8333")).toBe(true);
    expect(t.count({ dials: "only" })).toBe(0);
    expect(t.get(1)).toBe(c);
    expect([c.kind, c.persistent, c.anchor, c.readyAt]).toEqual(["manual", true, false, null]);
    const inbound = t.accepted(peer(2), "5.6.7.8:50000");
    expect(t.busy("5.6.7.8:50000")).toBe(false);
    t.closed(c, "gone");
    expect(c.endReason).toBe("gone");
    expect(t.busy("1.2.3.4:8333")).toBe(false);
    expect(t.get(1)).toBeUndefined();
    expect(t.list()).toEqual([inbound]);
  });

  test("two dials to one address stay busy until both are released", () => {
    const t = new ConnectionTable();
    const a = t.reserve("manual", "1.2.3.4:8333", null);
    const b = t.reserve("manual", "1.2.3.4:8333", null);
    t.release(a);
    expect(t.busy("1.2.3.4:8333")).toBe(true);
    t.release(b);
    expect(t.busy("1.2.3.4:8333")).toBe(false);
  });

  test("count filters by kind, handshake, persistence and dials", () => {
    const t = new ConnectionTable();
    const ready = t.connected(t.reserve("outbound-full-relay", "a:1", "g1"), peer(1), false);
    ready.readyAt = 1_000;
    t.connected(t.reserve("outbound-full-relay", "b:1", "g2"), peer(2), false);
    t.reserve("outbound-full-relay", "c:1", "g3");
    t.reserve("feeler", "d:1", "g4");
    t.connected(t.reserve("manual", "e:1", null, true), peer(3), false);
    t.reserve("manual", "f:1", null);
    t.accepted(peer(4), "g:1");

    const full = ["outbound-full-relay"] as const;
    expect(t.count()).toBe(4);
    expect(t.count({ dials: true })).toBe(7);
    expect(t.count({ dials: "only" })).toBe(3);
    expect(t.count({ kinds: full })).toBe(2);
    expect(t.count({ kinds: full, dials: true })).toBe(3);
    expect(t.count({ kinds: full, ready: true })).toBe(1);
    expect(t.count({ kinds: full, ready: true, dials: true })).toBe(1);
    expect(t.count({ kinds: AUTOMATIC_KINDS, dials: "only" })).toBe(2);
    expect(t.count({ kinds: ["manual"], dials: true })).toBe(2);
    expect(t.count({ kinds: ["manual"], persistent: false, dials: true })).toBe(1);
    expect(t.count({ kinds: ["inbound"] })).toBe(1);
    expect(t.list({ kinds: full, ready: true })).toEqual([ready]);
  });

  test("used groups: the automatic kinds' connections and dials, groupless ones aside", () => {
    const t = new ConnectionTable();
    t.connected(t.reserve("outbound-full-relay", "a:1", "g1"), peer(1), false).readyAt = 5;
    t.reserve("outbound-full-relay", "b:1", "g2");
    t.reserve("feeler", "c:1", "g3");
    t.reserve("outbound-full-relay", "onion:1", null);
    t.reserve("manual", "d:1", "g4");
    expect([...t.usedGroups()].sort()).toEqual(["g1", "g2", "g3"]);
    expect([...t.usedGroups({ kinds: ["outbound-full-relay"], ready: true })]).toEqual(["g1"]);
  });

  test("kinds are Core's connection types; the automatic ones come from their traits", () => {
    expect(Object.keys(CONN_KINDS).sort()).toEqual(
      ["addr-fetch", "block-relay-only", "feeler", "inbound", "manual", "outbound-full-relay"],
    );
    expect([...AUTOMATIC_KINDS].sort()).toEqual([
      "block-relay-only",
      "feeler",
      "outbound-full-relay",
    ]);
    // Address relay (Core SetupAddressRelay): never across block-relay-only or feeler ones.
    expect(CONN_KINDS["block-relay-only"].addrRelay).toBe("never");
    expect(CONN_KINDS["feeler"].addrRelay).toBe("never");
    expect(CONN_KINDS["outbound-full-relay"].addrRelay).toBe("from-handshake");
    expect(CONN_KINDS["inbound"].addrRelay).toBe("once-asked");
  });
});
