/**
 * The eviction choice alone, on synthetic peers: each protection in turn,
 * the most crowded group losing its youngest, ties going to the group with
 * the youngest peer, and nobody evicted when everyone is protected.
 */
import { describe, expect, test } from "bun:test";
import {
  type EvictionCandidate,
  PROTECT_BY_BLOCKS,
  PROTECT_BY_GROUP,
  PROTECT_BY_PING,
  selectEviction,
} from "../../src/connmgr/eviction.ts";
import { admitInbound } from "../../src/connmgr/inbound.ts";

let nextId = 1;
function peer(group: string, over: Partial<EvictionCandidate> = {}): EvictionCandidate {
  const id = nextId++;
  return {
    id,
    group,
    keyedGroup: 0,
    minPingMs: null,
    lastBlockTime: 0,
    connectedAt: 1_000 + id,
    ...over,
  };
}

describe("inbound eviction", () => {
  test("the youngest peer of the most crowded group is evicted", () => {
    const crowd = Array.from({ length: 12 }, () => peer("A"));
    const others = ["B", "C", "D", "E"].map((g) => peer(g));
    const victim = selectEviction([...crowd, ...others]);
    expect(victim).toBe(crowd[crowd.length - 1].id);
  });

  test("a tie between groups goes to the one whose youngest peer is youngest", () => {
    // Four peers protected by their keyed groups, then A1 B1 C1 A2 B2: the two
    // oldest are protected by uptime, leaving C1, A2, B2, one per group.
    const shields = ["S1", "S2", "S3", "S4"].map((g) => peer(g, { keyedGroup: 100 }));
    const [a1, b1, c1, a2, b2] = ["A", "B", "C", "A", "B"].map((g) => peer(g));
    expect(selectEviction([...shields, a1, b1, c1, a2, b2])).toBe(b2.id);
  });

  test("everyone protected: nobody is evicted", () => {
    const few = Array.from({ length: PROTECT_BY_GROUP }, (_, i) => peer(`G${i}`));
    expect(selectEviction(few)).toBeUndefined();
    expect(selectEviction([])).toBeUndefined();
  });

  test("low ping, recent blocks and high keyed groups protect a young peer", () => {
    const withYoungest = (over: Partial<EvictionCandidate>) => {
      const base = Array.from({ length: 30 }, () => peer("A"));
      const young = peer("A", over);
      return { all: [...base, young], young, next: base[base.length - 1] };
    };
    for (const over of [{ minPingMs: 1 }, { lastBlockTime: 5_000 }, { keyedGroup: 99 }]) {
      const { all, young, next } = withYoungest(over);
      expect(selectEviction(all)).toBe(next.id);
      expect(selectEviction(all)).not.toBe(young.id);
    }
    // Without a protection the youngest goes.
    const { all, young } = withYoungest({});
    expect(selectEviction(all)).toBe(young.id);
  });

  test("protection sizes are Core's", () => {
    expect([PROTECT_BY_GROUP, PROTECT_BY_PING, PROTECT_BY_BLOCKS]).toEqual([4, 8, 4]);
  });

  test("admission: banned, per-IP, room, eviction, refusal", () => {
    const none = () => [];
    const base = { banned: false, sameAddress: 0, inbound: 0, maxInbound: 2, maxPerIp: 1 };
    expect(admitInbound({ ...base, banned: true, candidates: none })).toEqual({
      accept: false,
      reason: "banned",
    });
    expect(admitInbound({ ...base, sameAddress: 1, candidates: none }).accept).toBe(false);
    expect(admitInbound({ ...base, inbound: 1, candidates: none })).toEqual({ accept: true });
    expect(admitInbound({ ...base, maxInbound: 0, candidates: none }).accept).toBe(false);
    const many = Array.from({ length: 20 }, () => peer("Z"));
    const full = admitInbound({ ...base, inbound: 20, maxInbound: 20, candidates: () => many });
    expect(full).toEqual({ accept: true, evict: many[19].id });
    const few = [peer("X"), peer("Y")];
    expect(admitInbound({ ...base, inbound: 2, candidates: () => few }).accept).toBe(false);
  });
});
