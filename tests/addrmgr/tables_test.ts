/**
 * The tables reproduce Core's addrman table-level tests (key uint256{1}):
 * new/tried collision counts, test-before-evict, getaddr's 23%, multiplicity,
 * sizes, and the bucket/slot pairs rpc_net.py asserts.
 */
import { describe, expect, test } from "bun:test";
import { AddrTables } from "../../src/addrmgr/tables.ts";
import { resolveCollisions, selectTriedCollision } from "../../src/addrmgr/collisions.ts";
import { sampleAddresses } from "../../src/addrmgr/sample.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { formatHostPort } from "../../src/wire/host_port.ts";
import { flipIpv6ToCjdns } from "../../src/wire/address.ts";
import { type AddrEntry, entryAddress } from "../../src/addrmgr/entry.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { DETERMINISTIC_KEY, input, ip, NOW, TIME_INIT, vectors } from "./helpers.ts";

const fresh = (seed = 1) => new AddrTables(sha256, DETERMINISTIC_KEY, seededRandom(seed));
const SOURCE = ip("252.2.2.2");
const show = (e: AddrEntry | undefined) => e ? formatHostPort(entryAddress(e), e.port) : "none";

/** Core's `Add({CAddress(addr, NODE_NONE)}, source)`: time TIME_INIT, no penalty. */
function addInit(t: AddrTables, host: string, now = NOW): boolean {
  return t.add([input(host, 0, TIME_INIT)], SOURCE, 0, now) > 0;
}
function good(t: AddrTables, host: string, now = NOW, port = 0): boolean {
  return t.good(t.find(ip(host), port)!, now, true);
}

describe("Core addrman_new_collisions", () => {
  test("22 addresses of one /16 fit the new table; the 23rd collides (replacing a terrible entry)", () => {
    const t = fresh();
    for (let i = 1; i <= 22; i++) {
      expect(addInit(t, `250.1.1.${i}`)).toBe(true);
      expect(t.size).toBe(i);
    }
    const slot22 = t.homeNewSlot(t.find(ip("250.1.1.22"), 0)!);
    expect(addInit(t, "250.1.1.23")).toBe(true);
    expect(t.size).toBe(22);
    expect(t.find(ip("250.1.1.22"), 0)).toBeUndefined();
    expect(t.newSlots.at(slot22)).toBe(t.find(ip("250.1.1.23"), 0));
    expect([slot22 >> 6, slot22 & 63]).toEqual([983, 3]);
    expect(addInit(t, "250.1.1.24")).toBe(true);
    expect(t.size).toBe(23);
  });

  test("a colliding newcomer is dropped when the incumbent is not terrible", () => {
    const t = fresh();
    for (let i = 1; i <= 22; i++) t.add([input(`250.1.1.${i}`, 0)], SOURCE, 0, NOW);
    expect(t.add([input("250.1.1.23", 0)], SOURCE, 0, NOW)).toBe(0);
    expect(t.size).toBe(22);
    expect(t.find(ip("250.1.1.23"), 0)).toBeUndefined();
  });
});

describe("Core addrman_tried_collisions / noevict / evictionworks", () => {
  /** Adds and promotes 250.1.1.1 … 250.1.1.(n-1). */
  function fillTried(t: AddrTables, n: number) {
    for (let i = 1; i < n; i++) {
      expect(addInit(t, `250.1.1.${i}`)).toBe(true);
      expect(good(t, `250.1.1.${i}`)).toBe(true);
      expect(selectTriedCollision(t, seededRandom(i))).toBeUndefined();
    }
  }

  test("35 addresses of one /16 fit the tried table; the 36th collides with .19; the 37th fits", () => {
    const t = fresh();
    fillTried(t, 36);
    expect(addInit(t, "250.1.1.36")).toBe(true);
    expect(good(t, "250.1.1.36")).toBe(false);
    const c = selectTriedCollision(t, seededRandom(1))!;
    expect(show(c.incumbent)).toBe("250.1.1.19:0");
    expect(show(c.newcomer)).toBe("250.1.1.36:0");
    const slot = c.incumbent.triedSlot;
    expect([slot >> 6, slot & 63]).toEqual([121, 32]);
    expect(addInit(t, "250.1.1.37")).toBe(true);
    expect(good(t, "250.1.1.37")).toBe(true);
  });

  test("noevict: an incumbent that just succeeded keeps its slot", () => {
    const t = fresh();
    fillTried(t, 36);
    addInit(t, "250.1.1.36");
    expect(good(t, "250.1.1.36")).toBe(false);
    resolveCollisions(t, NOW);
    expect(selectTriedCollision(t, seededRandom(1))).toBeUndefined();
    expect(t.find(ip("250.1.1.36"), 0)!.triedSlot).toBe(-1);
    for (let i = 37; i < 59; i++) {
      expect(addInit(t, `250.1.1.${i}`)).toBe(true);
      expect(good(t, `250.1.1.${i}`)).toBe(true);
    }
    expect(addInit(t, "250.1.1.59")).toBe(true);
    expect(good(t, "250.1.1.59")).toBe(false);
    const c = selectTriedCollision(t, seededRandom(1))!;
    expect(show(c.incumbent)).toBe("250.1.1.10:0");
    expect([c.incumbent.triedSlot >> 6, c.incumbent.triedSlot & 63]).toEqual([228, 38]);
    expect(addInit(t, "250.1.1.36")).toBe(false);
    expect(good(t, "250.1.1.36")).toBe(false);
    expect(t.triedCollisions.size).toBe(2);
    resolveCollisions(t, NOW);
    expect(t.triedCollisions.size).toBe(0);
  });

  test("evictionworks: a failed test swaps; 4 hours untested swaps back", () => {
    const t = fresh();
    fillTried(t, 36);
    addInit(t, "250.1.1.36");
    expect(good(t, "250.1.1.36")).toBe(false);
    const incumbent = selectTriedCollision(t, seededRandom(1))!.incumbent;
    expect(show(incumbent)).toBe("250.1.1.19:0");
    // The incumbent's last success is in the deep past and its test failed 61 s ago.
    expect(t.good(incumbent, 1, true)).toBe(false);
    t.attempt(incumbent, NOW - 61, false);
    resolveCollisions(t, NOW);
    expect(t.triedCollisions.size).toBe(0);
    const e36 = t.find(ip("250.1.1.36"), 0)!;
    expect(e36.triedSlot).toBeGreaterThanOrEqual(0);
    expect(good(t, "250.1.1.36")).toBe(false); // already tried: no collision
    expect(t.triedCollisions.size).toBe(0);
    expect(good(t, "250.1.1.19")).toBe(false);
    expect(show(selectTriedCollision(t, seededRandom(1))!.incumbent)).toBe("250.1.1.36:0");
    resolveCollisions(t, NOW + 4 * 3600);
    expect(t.triedCollisions.size).toBe(0);
    expect(t.find(ip("250.1.1.19"), 0)!.triedSlot).toBeGreaterThanOrEqual(0);
    expect(e36.triedSlot).toBe(-1);
    expect(e36.refCount).toBe(1);
  });

  test("the collision set holds at most 10 pending promotions", () => {
    const t = fresh();
    // Fill the tried table with one /16 from many sources, then promote more of it.
    let collided = 0;
    for (let i = 1; i < 255 && collided < 15; i++) {
      for (let j = 1; j < 255 && collided < 15; j++) {
        const host = `250.1.${i}.${j}`;
        if (t.add([input(host, 0)], ip(`251.${i}.1.1`), 0, NOW) === 0) continue;
        if (!good(t, host)) collided++;
      }
    }
    expect(collided).toBe(15);
    expect(t.triedCollisions.size).toBe(10);
  });
});

describe("Core addrman_getaddr", () => {
  test("5 addresses: all, or 23% (1); 2,006 of 2,052 fit and 23% of them is 461", () => {
    const t = fresh();
    const r = seededRandom(7);
    const src1 = ip("250.1.2.1");
    const src2 = ip("250.2.3.3");
    expect(
      t.add(
        [input("250.250.2.1", 8333), input("251.252.2.3", 8333), input("252.254.4.5", 8333)],
        src1,
        0,
        NOW,
      ),
    ).toBe(3);
    expect(t.add([input("250.251.2.2", 9999), input("252.253.3.4", 8333)], src2, 0, NOW)).toBe(2);
    expect(sampleAddresses(t, r, NOW, { maxCount: 0, maxPct: 0 }).length).toBe(5);
    expect(sampleAddresses(t, r, NOW, { maxCount: 2500, maxPct: 23 }).length).toBe(1);
    expect(good(t, "250.250.2.1", NOW, 8333)).toBe(true);
    expect(good(t, "250.251.2.2", NOW, 9999)).toBe(true);
    expect(sampleAddresses(t, r, NOW, { maxCount: 0, maxPct: 0 }).length).toBe(5);
    expect(sampleAddresses(t, r, NOW, { maxCount: 2500, maxPct: 23 }).length).toBe(1);
    for (let i = 1; i < 8 * 256; i++) {
      const host = `${i % 256}.${i >> 8}.1.23`;
      t.add([input(host, 0)], ip(host), 0, NOW);
      if (i % 8 === 0) {
        const e = t.find(ip(host), 0);
        if (e !== undefined) t.good(e, NOW, true);
      }
    }
    expect(t.size).toBe(2006);
    expect(sampleAddresses(t, r, NOW, { maxCount: 2500, maxPct: 23 }).length).toBe(461);
  });

  test("terrible entries and filtered ones are left out", () => {
    const t = fresh();
    t.add([input("250.1.1.1", 8333), input("250.1.1.2", 8333, TIME_INIT)], SOURCE, 0, NOW);
    const all = sampleAddresses(t, seededRandom(1), NOW, { maxCount: 0, maxPct: 0 });
    expect(all.map(show)).toEqual(["250.1.1.1:8333"]);
    const none = sampleAddresses(t, seededRandom(1), NOW, {
      maxCount: 0,
      maxPct: 0,
      filter: (e) => e.port !== 8333,
    });
    expect(none).toEqual([]);
  });
});

describe("Core addrman_new_multiplicity and addrman_size", () => {
  test("the same time from 19 sources keeps one reference; rising times reach 8", () => {
    const t = fresh(3);
    const host = "253.3.3.3";
    for (let i = 1; i < 20; i++) {
      t.add([input(host, 8333, NOW)], ip(`${i % 256}.${i >> 8}.1.1`), 0, NOW);
    }
    expect(t.find(ip(host), 8333)!.refCount).toBe(1);
    expect(t.size).toBe(1);
    for (let i = 1; i < 400; i++) {
      t.add([input(host, 8333, NOW + i)], ip(`${i % 256}.${i >> 8}.1.1`), 0, NOW);
    }
    expect(t.find(ip(host), 8333)!.refCount).toBe(8);
    expect(t.size).toBe(1);
    expect(t.newCount).toBe(1);
  });

  test("sizes by network and table", () => {
    const t = fresh();
    expect(t.size).toBe(0);
    expect(t.add([input("250.1.1.1", 8333, TIME_INIT)], SOURCE, 0, NOW)).toBe(1);
    expect(good(t, "250.1.1.1", NOW, 8333)).toBe(true);
    expect(t.add([input("250.1.1.2", 8333, TIME_INIT)], SOURCE, 0, NOW)).toBe(1);
    const i2p = "udhdrtrcetjm5sxzskjyr5ztpeszydbh4dpl3pl4utgqqw2v4jna.b32.i2p";
    expect(t.add([input(i2p, 0, TIME_INIT)], SOURCE, 0, NOW)).toBe(1);
    expect([t.newCount, t.triedCount, t.size]).toEqual([2, 1, 3]);
    expect(t.counts.ipv4).toEqual({ new: 1, tried: 1 });
    expect(t.counts.i2p).toEqual({ new: 1, tried: 0 });
    expect(t.counts.onion).toEqual({ new: 0, tried: 0 });
  });

  test("unroutable addresses never enter the tables", () => {
    const t = fresh();
    const hosts = ["10.0.0.1", "127.0.0.1", "192.168.1.1", "::1", "fc00::1", "169.254.1.1"];
    expect(t.add(hosts.map((h) => input(h, 8333)), SOURCE, 0, NOW)).toBe(0);
    expect(t.size).toBe(0);
  });
});

describe("rpc_net.py getrawaddrman bucket/position pairs", () => {
  // deno-lint-ignore no-explicit-any
  const rows = vectors.core_asserted.filter((r: any) =>
    r.test === "test_getrawaddrman" && r.check.includes("bucket/position")
  );

  test("8 addresses over IPv4, IPv6, CJDNS, Tor v3 and I2P land where Core puts them", () => {
    expect(rows.length).toBe(8);
    const t = fresh();
    for (const row of rows) {
      const [, host, port, table] = row.check.match(/^(\S+) port (\d+) (tried|new)/)!;
      const addr = flipIpv6ToCjdns(ip(host));
      t.add([{ addr, port: Number(port), time: NOW, services: 0n }], addr, 0, NOW);
      const e = t.find(addr, Number(port))!;
      if (table === "tried") expect(t.good(e, NOW, true)).toBe(true);
      let slot = e.triedSlot;
      if (table === "new") slot = t.newSlots.indexOf(e);
      expect(`${slot >> 6}/${slot & 63}`).toBe(row.expected);
    }
  });

  test("the grinded 1.2.5.45:8333 collides in tried with 1.2.3.4:8333 and stays new", () => {
    const t = fresh();
    for (const host of ["1.2.3.4", "1.2.5.45"]) t.add([input(host, 8333)], ip(host), 0, NOW);
    expect(good(t, "1.2.3.4", NOW, 8333)).toBe(true);
    expect(good(t, "1.2.5.45", NOW, 8333)).toBe(false);
    const slot = t.find(ip("1.2.3.4"), 8333)!.triedSlot;
    expect(`${slot >> 6}/${slot & 63}`).toBe("6/33");
    expect(t.triedSlotOf(t.find(ip("1.2.5.45"), 8333)!)).toBe(slot);
    t.add([input("2.0.0.0", 8333)], ip("2.0.0.0"), 0, NOW);
    expect([t.triedCount, t.newCount]).toEqual([1, 2]);
  });
});
