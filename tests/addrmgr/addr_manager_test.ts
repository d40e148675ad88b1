/**
 * The AddrManager interface the connection manager uses, driven by an
 * injected clock: terrible rules over time, attempts, connections,
 * test-before-evict through a feeler, counts per network.
 */
import { describe, expect, test } from "bun:test";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { formatHostPort } from "../../src/wire/host_port.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { DETERMINISTIC_KEY, input, ip, ManualClock, NOW, TIME_INIT } from "./helpers.ts";

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function setup() {
  const clock = new ManualClock(NOW * 1000);
  const book = new AddrManager({ sha256, clock, random: seededRandom(2), key: DETERMINISTIC_KEY });
  return { clock, book };
}
const shared = (book: AddrManager) =>
  book.getAddresses().map((a) => formatHostPort(a.addr, a.port)).sort();

describe("terrible addresses over time (injected clock)", () => {
  test("an address not heard of for 30 days stops being shared", () => {
    const { clock, book } = setup();
    book.add([input("60.1.1.1", 8333)], ip("60.1.1.1"));
    clock.advance(30 * DAY);
    expect(shared(book)).toEqual(["60.1.1.1:8333"]);
    clock.advance(1000);
    expect(shared(book)).toEqual([]);
    expect(book.getAddresses({ includeTerrible: true }).length).toBe(1);
  });

  test("3 failed attempts and no success make it terrible, except within a minute of a try", () => {
    const { clock, book } = setup();
    const a = ip("60.1.1.1");
    book.add([input("60.1.1.1", 8333)], a);
    book.good(ip("60.9.9.9"), 8333); // unknown: nothing happens
    book.add([input("61.1.1.1", 8333)], ip("61.1.1.1"));
    for (let i = 0; i < 3; i++) {
      // A failure counts once per later success anywhere: make one elsewhere in between.
      clock.advance(1000);
      book.good(ip("61.1.1.1"), 8333);
      clock.advance(1000);
      book.attempt(a, 8333, true);
      book.attempt(a, 8333, true); // the same failure again: not counted twice
    }
    expect(book.find(a, 8333)!.attempts).toBe(3);
    expect(shared(book)).toEqual(["60.1.1.1:8333", "61.1.1.1:8333"]); // tried < 1 minute ago
    clock.advance(60_000);
    expect(shared(book)).toContain("60.1.1.1:8333"); // exactly a minute: still protected
    clock.advance(1000);
    expect(shared(book)).toEqual(["61.1.1.1:8333"]);
  });

  test("10 failures with no success in 7 days make a tried address terrible", () => {
    const { clock, book } = setup();
    const a = ip("60.1.1.1");
    book.add([input("60.1.1.1", 8333)], a);
    expect(book.good(a, 8333)).toBe(true);
    clock.advance(8 * DAY);
    book.connected(a, 8333); // keeps it from ageing out
    book.add([input("62.1.1.1", 8333)], ip("62.1.1.1"));
    for (let i = 0; i < 10; i++) {
      clock.advance(1000);
      book.good(ip("62.1.1.1"), 8333);
      clock.advance(1000);
      book.attempt(a, 8333, true);
    }
    clock.advance(61_000);
    expect(book.find(a, 8333)!.attempts).toBe(10);
    expect(shared(book)).not.toContain("60.1.1.1:8333");
  });

  test("a timestamp over 10 minutes ahead is terrible, so a newcomer may take its slot", () => {
    const { book } = setup();
    book.add([input("60.1.1.1", 8333, NOW + 601)], ip("60.1.1.1"));
    expect(shared(book)).toEqual([]);
  });

  test("uncounted attempts do not add failures", () => {
    const { book } = setup();
    book.add([input("60.1.1.1", 8333)], ip("60.1.1.1"));
    book.attempt(ip("60.1.1.1"), 8333, false);
    expect(book.find(ip("60.1.1.1"), 8333)).toMatchObject({ attempts: 0, lastTry: NOW });
  });
});

describe("history", () => {
  test("connected refreshes the time at most every 20 minutes; good resets failures", () => {
    const { clock, book } = setup();
    const a = ip("60.1.1.1");
    book.add([input("60.1.1.1", 8333, NOW - 100)], a);
    clock.advance(10 * 60_000);
    book.connected(a, 8333);
    expect(book.find(a, 8333)!.time).toBe(NOW - 100);
    clock.advance(15 * 60_000);
    book.connected(a, 8333);
    expect(book.find(a, 8333)!.time).toBe(NOW + 25 * 60);
    book.attempt(a, 8333, true);
    expect(book.find(a, 8333)!.attempts).toBe(1);
    expect(book.good(a, 8333)).toBe(true);
    expect(book.find(a, 8333)).toMatchObject({ attempts: 0, tried: true, lastSuccess: NOW + 1500 });
    expect(book.good(a, 8333)).toBe(false); // already tried
  });

  test("services are ORed from gossip and replaced from the version message", () => {
    const { book } = setup();
    const a = ip("60.1.1.1");
    book.add([input("60.1.1.1", 8333, NOW - 7200, 1n)], ip("70.1.1.1"));
    book.add([input("60.1.1.1", 8333, NOW - 7200, 1024n)], ip("71.1.1.1"));
    expect(book.find(a, 8333)!.services).toBe(1025n);
    book.setServices(a, 8333, 8n);
    expect(book.find(a, 8333)!.services).toBe(8n);
  });

  test("needMoreAddresses is true below 1,000 addresses", () => {
    const { book } = setup();
    expect(book.needMoreAddresses()).toBe(true);
    for (let s = 0; s < 60 && book.size < 1000; s++) {
      const list = Array.from({ length: 40 }, (_, i) => input(`${20 + s}.${i}.7.7`, 8333));
      book.add(list, ip(`${100 + s}.5.5.5`));
      expect(book.needMoreAddresses()).toBe(book.size < 1000);
    }
    expect(book.size).toBeGreaterThanOrEqual(1000);
    expect(book.stats()).toMatchObject({ total: book.size, needMoreAddresses: false });
  });

  test("counts per network and table", () => {
    const { book } = setup();
    book.add([
      input("60.1.1.1", 8333),
      input("2001:4860::1", 8333),
      input("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", 8333),
      input("c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p", 0),
      input("192.168.1.1", 8333), // unroutable: ignored
    ], ip("70.1.1.1"));
    book.good(ip("2001:4860::1"), 8333);
    const s = book.stats();
    expect([s.total, s.new, s.tried]).toEqual([4, 3, 1]);
    expect(s.byNetwork).toEqual({
      ipv4: { new: 1, tried: 0 },
      ipv6: { new: 0, tried: 1 },
      onion: { new: 1, tried: 0 },
      i2p: { new: 1, tried: 0 },
      cjdns: { new: 0, tried: 0 },
    });
  });
});

describe("test-before-evict through the manager", () => {
  /** 250.1.1.1–35 tried; 250.1.1.36 collides with 250.1.1.19 (Core's numbers, key uint256{1}). */
  function collided() {
    const s = setup();
    const src = ip("252.2.2.2");
    for (let i = 1; i <= 36; i++) {
      s.book.add([input(`250.1.1.${i}`, 0, TIME_INIT)], src);
      expect(s.book.good(ip(`250.1.1.${i}`), 0)).toBe(i !== 36);
    }
    const c = s.book.selectTriedCollision()!;
    expect(formatHostPort(c.incumbent.addr, c.incumbent.port)).toBe("250.1.1.19:0");
    expect(formatHostPort(c.newcomer.addr, c.newcomer.port)).toBe("250.1.1.36:0");
    return s;
  }

  test("an incumbent that answers the feeler keeps its slot", () => {
    const { book, clock } = collided();
    clock.advance(5 * HOUR);
    book.good(ip("250.1.1.19"), 0); // the feeler reached it
    expect(book.resolveCollisions()).toBe(1);
    expect(book.find(ip("250.1.1.19"), 0)!.tried).toBe(true);
    expect(book.find(ip("250.1.1.36"), 0)!.tried).toBe(false);
    expect(book.stats().pendingCollisions).toBe(0);
  });

  test("an incumbent that fails the feeler is swapped out after a minute", () => {
    const { book, clock } = collided();
    clock.advance(5 * HOUR);
    book.attempt(ip("250.1.1.19"), 0, true);
    expect(book.resolveCollisions()).toBe(0); // give the test a minute
    clock.advance(61_000);
    expect(book.resolveCollisions()).toBe(1);
    expect(book.find(ip("250.1.1.36"), 0)!.tried).toBe(true);
    expect(book.find(ip("250.1.1.19"), 0)!.tried).toBe(false);
  });

  test("an untested collision evicts after 40 minutes only if the incumbent is stale", () => {
    const { book, clock } = collided();
    clock.advance(41 * 60_000);
    // 250.1.1.19 succeeded 41 minutes ago (< 4 h): it stays.
    expect(book.resolveCollisions()).toBe(1);
    expect(book.find(ip("250.1.1.19"), 0)!.tried).toBe(true);
    expect(book.good(ip("250.1.1.36"), 0)).toBe(false);
    clock.advance(4 * HOUR);
    book.good(ip("250.1.1.36"), 0);
    clock.advance(41 * 60_000);
    expect(book.resolveCollisions()).toBe(1);
    expect(book.find(ip("250.1.1.36"), 0)!.tried).toBe(true);
  });
});
