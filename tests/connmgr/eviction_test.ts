/**
 * The eviction choice alone (Core's SelectNodeToEvict), on synthetic peers:
 * each protection in turn (keyed group, ping, block-relay-only peers with
 * blocks, novel blocks, uptime with places for disadvantaged networks),
 * discouraged peers first, the most crowded group losing its youngest, ties
 * going to the group with the youngest peer, and nobody evicted when
 * everyone is protected.
 */
import { describe, expect, test } from "bun:test";
import {
  type EvictionCandidate,
  PROTECT_BLOCK_RELAY_ONLY,
  PROTECT_BY_BLOCKS,
  PROTECT_BY_GROUP,
  PROTECT_BY_PING,
  selectEviction,
} from "../../src/connmgr/eviction.ts";
import { admitInbound } from "../../src/connmgr/inbound.ts";

let nextId = 1;
/** A plain inbound peer in keyed group `group`, connected in id order (later ids younger). */
function peer(group: number, over: Partial<EvictionCandidate> = {}): EvictionCandidate {
  const id = nextId++;
  return {
    id,
    connectedAt: 1_000 + id,
    minPingMs: null,
    lastBlockTime: 0,
    relayTxs: true,
    relevantServices: true,
    keyedGroup: group,
    preferEvict: false,
    isLocal: false,
    network: "ipv4",
    ...over,
  };
}

/** `n` plain peers of keyed group 0. */
function crowd(n: number, over: Partial<EvictionCandidate> = {}): EvictionCandidate[] {
  return Array.from({ length: n }, () => peer(0, over));
}

/** Four peers in keyed groups above every other: the keyed-group rule protects them. */
function shields(): EvictionCandidate[] {
  return [1001, 1002, 1003, 1004].map((g) => peer(g));
}

/** The ids protected from eviction: evicting the chosen one again and again until none is left. */
function protectedIds(all: readonly EvictionCandidate[]): Set<number> {
  let rest = [...all];
  for (;;) {
    const id = selectEviction(rest);
    if (id === undefined) return new Set(rest.map((c) => c.id));
    rest = rest.filter((c) => c.id !== id);
  }
}

describe("inbound eviction", () => {
  test("the youngest peer of the most crowded keyed group is evicted", () => {
    const many = crowd(12);
    const others = [1, 2, 3, 4].map((g) => peer(g));
    expect(selectEviction([...many, ...others])).toBe(many[many.length - 1].id);
  });

  test("a tie between groups goes to the one whose youngest peer is youngest", () => {
    // Four peers protected by their keyed groups, then A1 B1 C1 A2 B2: the two
    // oldest are protected by uptime, leaving C1, A2, B2, one per group.
    const shields = [100, 101, 102, 103].map((g) => peer(g));
    const [a1, b1, c1, a2, b2] = [1, 2, 3, 1, 2].map((g) => peer(g));
    expect(selectEviction([...shields, a1, b1, c1, a2, b2])).toBe(b2.id);
  });

  test("everyone protected: nobody is evicted", () => {
    const few = Array.from({ length: PROTECT_BY_GROUP }, (_, i) => peer(i));
    expect(selectEviction(few)).toBeUndefined();
    expect(selectEviction([])).toBeUndefined();
  });

  test("low ping, a novel block and a high keyed group each protect a young peer", () => {
    const withYoungest = (over: Partial<EvictionCandidate>, group = 0) => {
      const base = [...shields(), ...crowd(30)];
      const young = peer(group, over);
      return { all: [...base, young], young, next: base[base.length - 1] };
    };
    for (
      const [over, group] of [[{ minPingMs: 1 }, 0], [{ lastBlockTime: 5_000 }, 0], [
        {},
        99,
      ]] as const
    ) {
      const { all, next } = withYoungest(over, group);
      expect(selectEviction(all)).toBe(next.id);
    }
    // Without a protection the youngest goes.
    const { all, young } = withYoungest({});
    expect(selectEviction(all)).toBe(young.id);
  });

  test("a block announced but never given earns nothing: only lastBlockTime counts", () => {
    // lastBlockTime comes from blocks received and accepted; a peer with none is unprotected.
    const base = [...shields(), ...crowd(30)];
    const announcer = peer(0, { lastBlockTime: 0 });
    expect(selectEviction([...base, announcer])).toBe(announcer.id);
  });

  test("up to 8 peers that want no transactions and gave blocks are protected, latest first", () => {
    // Young peers (after 40 old ones, whom uptime protects first) that gave blocks:
    // 12 that want no transactions, then 4 transaction relayers with newer blocks.
    const old = [...shields(), ...crowd(40)];
    const blockOnly = crowd(12, { relayTxs: false }).map((c, i) => ({
      ...c,
      lastBlockTime: 10_000 + i,
    }));
    const relayers = crowd(4).map((c, i) => ({ ...c, lastBlockTime: 20_000 + i }));
    const shielded = protectedIds([...old, ...blockOnly, ...relayers]);
    // Rule 4 keeps the 8 block-relay-only peers with the latest blocks; rule 5 the 4 relayers.
    expect(blockOnly.filter((c) => shielded.has(c.id)).map((c) => c.id))
      .toEqual(blockOnly.slice(4).map((c) => c.id));
    for (const c of relayers) expect(shielded.has(c.id)).toBe(true);
    // Without the services we want, wanting no transactions protects nothing by rule 4.
    const useless = blockOnly.map((c) => ({ ...c, id: c.id + 1_000, relevantServices: false }));
    const shieldedUseless = protectedIds([...old, ...useless, ...relayers]);
    expect(useless.filter((c) => shieldedUseless.has(c.id)).length).toBe(0);
  });

  test("uptime protects half, up to a quarter for disadvantaged networks (rarest first)", () => {
    // 16 old IPv4 peers and 4 young loopback (Tor) peers: uptime alone would protect
    // the 10 oldest IPv4 ones; the ratio keeps places for the loopback peers.
    const old = crowd(16);
    const tor = crowd(4, { isLocal: true });
    expect(selectEviction([...shields(), ...old, ...tor])).toBe(old[15].id);
    // The same young peers on IPv4 are not protected: the youngest goes.
    const older = crowd(16);
    const plain = crowd(4);
    expect(selectEviction([...shields(), ...older, ...plain])).toBe(plain[3].id);
  });

  test("discouraged peers (misbehaviour on record) are evicted first", () => {
    const base = [...shields(), ...crowd(30)];
    // Alone in its group: without misbehaviour the crowded group's youngest would go.
    const good = peer(5);
    expect(selectEviction([...base, good])).toBe(base[base.length - 1].id);
    const bad = { ...good, preferEvict: true };
    expect(selectEviction([...base, bad])).toBe(bad.id);
  });

  test("protection sizes are Core's", () => {
    expect([PROTECT_BY_GROUP, PROTECT_BY_PING, PROTECT_BLOCK_RELAY_ONLY, PROTECT_BY_BLOCKS])
      .toEqual([4, 8, 8, 4]);
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
    const many = [...shields(), ...crowd(16)];
    const full = admitInbound({ ...base, inbound: 20, maxInbound: 20, candidates: () => many });
    expect(full).toEqual({ accept: true, evict: many[19].id });
    const few = [peer(1), peer(2)];
    expect(admitInbound({ ...base, inbound: 2, candidates: () => few }).accept).toBe(false);
  });
});
