/** Selection: the table bias by outbound count, chance weighting, filters. */
import { describe, expect, test } from "bun:test";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import { triedShare } from "../../src/addrmgr/select.ts";
import { type Random, seededRandom } from "../../src/platform/random.ts";
import { formatHostPort } from "../../src/wire/host_port.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { DETERMINISTIC_KEY, input, ip, ManualClock, NOW } from "./helpers.ts";

function book(seed = 1) {
  const clock = new ManualClock(NOW * 1000);
  const m = new AddrManager({ sha256, clock, random: seededRandom(seed), key: DETERMINISTIC_KEY });
  return { m, clock };
}

/** 300 IPv4 addresses over 300 /16s; every third one promoted to tried. */
function populated(seed = 1) {
  const b = book(seed);
  for (let i = 0; i < 300; i++) {
    const host = `${130 + (i % 90)}.${Math.floor(i / 90)}.1.1`;
    b.m.add([input(host, 8333)], ip(host));
    if (i % 3 === 0) b.m.good(ip(host), 8333);
  }
  return b;
}

describe("triedShare", () => {
  test("0.9 with no outbound peer, falling linearly to 0.5 at the target, 0.5 beyond", () => {
    expect(triedShare(0, 8)).toBeCloseTo(0.9, 12);
    expect(triedShare(4, 8)).toBeCloseTo(0.7, 12);
    expect(triedShare(8, 8)).toBeCloseTo(0.5, 12);
    expect(triedShare(20, 8)).toBeCloseTo(0.5, 12);
    expect(triedShare(-3, 8)).toBeCloseTo(0.9, 12);
    expect(triedShare(3, 0)).toBe(0.5);
  });
});

describe("select", () => {
  test("an empty book selects nothing", () => {
    expect(book().m.select()).toBeUndefined();
  });

  test("few outbound peers prefer tried addresses; a full outbound set splits evenly", () => {
    const { m } = populated();
    expect(m.stats().tried).toBeGreaterThan(90); // a few promotions wait on a collision
    const share = (outbound: number) => {
      let tried = 0;
      for (let i = 0; i < 4000; i++) if (m.select({ outbound })!.tried) tried++;
      return tried / 4000;
    };
    const none = share(0);
    const half = share(4);
    const full = share(8);
    expect(none).toBeGreaterThan(0.87);
    expect(none).toBeLessThan(0.93);
    expect(half).toBeGreaterThan(0.66);
    expect(half).toBeLessThan(0.74);
    expect(full).toBeGreaterThan(0.46);
    expect(full).toBeLessThan(0.54);
  });

  test("newOnly never returns a tried address; networks restricts the network", () => {
    const { m } = populated();
    for (let i = 0; i < 500; i++) expect(m.select({ newOnly: true })!.tried).toBe(false);
    expect(m.select({ networks: new Set(["onion"]) })).toBeUndefined();
    const onion = ip("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion");
    m.add([{ addr: onion, port: 8333, time: NOW, services: 0n }], ip("1.1.1.1"));
    for (let i = 0; i < 50; i++) {
      expect(m.select({ networks: new Set(["onion"]) })!.addr.network).toBe("onion");
    }
  });

  test("an address tried in the last 10 minutes or failing often is picked less", () => {
    const { m, clock } = book(5);
    m.add(
      [input("30.1.1.1", 8333), input("40.1.1.1", 8333), input("50.1.1.1", 8333)],
      ip("9.9.9.9"),
    );
    // Three failures in a row count once (until the next success anywhere): chance × 0.66.
    for (let i = 0; i < 3; i++) m.attempt(ip("40.1.1.1"), 8333, true);
    clock.advance(3600_000);
    m.attempt(ip("30.1.1.1"), 8333, false); // tried just now: chance × 0.01
    const hits = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const s = m.select()!;
      const k = formatHostPort(s.addr, s.port);
      hits.set(k, (hits.get(k) ?? 0) + 1);
    }
    const [recent, failing, fresh] = ["30.1.1.1:8333", "40.1.1.1:8333", "50.1.1.1:8333"].map((
      k,
    ) => hits.get(k) ?? 0);
    expect(m.find(ip("40.1.1.1"), 8333)!.attempts).toBe(1);
    expect(fresh).toBeGreaterThan(failing);
    expect(failing).toBeGreaterThan(recent);
    expect(recent).toBeLessThan(100);
    expect(failing).toBeGreaterThan(500);
  });

  test("a sparse book draws only occupied buckets: one entry, one draw per try", () => {
    const seeded = seededRandom(4);
    let calls = 0;
    const random: Random = {
      bytes: (n) => seeded.bytes(n),
      int: (max) => (calls++, seeded.int(max)),
      float: () => (calls++, seeded.float()),
    };
    const clock = new ManualClock(NOW * 1000);
    const m = new AddrManager({ sha256, clock, random, key: DETERMINISTIC_KEY });
    m.add([input("30.1.1.1", 8333)], ip("9.9.9.9"));
    for (let i = 0; i < 20; i++) {
      calls = 0;
      expect(formatHostPort(m.select()!.addr, 8333)).toBe("30.1.1.1:8333");
      // A bucket among the occupied ones, a start in it, the chance coin (chance 1: taken).
      expect(calls).toBe(3);
    }
  });

  test("buckets are drawn evenly among the occupied ones", () => {
    const { m } = populated(3);
    const hits = new Map<string, number>();
    for (let i = 0; i < 6000; i++) {
      const s = m.select({ newOnly: true })!;
      const k = formatHostPort(s.addr, s.port);
      hits.set(k, (hits.get(k) ?? 0) + 1);
    }
    // 200 new entries (in one bucket each), each about 1/200 of the draws.
    expect(hits.size).toBeGreaterThan(190);
    expect(Math.max(...hits.values())).toBeLessThan(80);
  });

  test("the same seed gives the same selections", () => {
    const a = populated(9).m;
    const b = populated(9).m;
    const seq = (m: AddrManager) =>
      Array.from({ length: 50 }, () => {
        const s = m.select({ outbound: 2 })!;
        return formatHostPort(s.addr, s.port);
      });
    expect(seq(a)).toEqual(seq(b));
  });
});
