/**
 * Gossip: timestamps cleaned and aged, the per-peer token bucket, who takes
 * part in address relay, relay fan-out, getaddr to outbound peers, cached
 * getaddr answers to inbound ones.
 */
import { describe, expect, test } from "bun:test";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import { AddrGossip, type GossipPeer } from "../../src/addrmgr/gossip.ts";
import { sanitiseTime } from "../../src/addrmgr/timestamps.ts";
import { AddrTokenBucket } from "../../src/addrmgr/token_bucket.ts";
import { RelayChooser } from "../../src/addrmgr/addr_relay.ts";
import { seededRandom } from "../../src/platform/random.ts";
import type { NetAddress } from "../../src/wire/address.ts";
import type { PeerAddress } from "../../src/wire/messages/addr.ts";
import { formatHostPort } from "../../src/wire/host_port.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { DETERMINISTIC_KEY, input, ip, ManualClock, NOW } from "./helpers.ts";
import {
  NODE_NETWORK,
  NODE_NETWORK_LIMITED,
  NODE_P2P_V2,
  NODE_WITNESS,
} from "../../src/peer/services.ts";

/** What a full node's address carries in gossip. */
const FULL = NODE_NETWORK | NODE_WITNESS;

/** A gossiped address of a full node: `host`, port, time (default NOW). */
function gossiped(host: string, port: number, time = NOW): PeerAddress {
  return input(host, port, time, FULL);
}

const ONION = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion";

function setup(options: { isBanned?: (a: NetAddress) => boolean } = {}) {
  const clock = new ManualClock(NOW * 1000);
  const random = seededRandom(11);
  const book = new AddrManager({ sha256, clock, random, key: DETERMINISTIC_KEY });
  const gossip = new AddrGossip({ book, sha256, clock, random, ...options });
  return { clock, book, gossip };
}

function peer(id: number, extra: Partial<GossipPeer> = {}): GossipPeer {
  return { id, address: ip(`77.${id}.0.1`), inbound: false, addrv2: true, ...extra };
}

/** `n` distinct routable addresses (in 20.x–89.x) seen `age` seconds ago. */
function addresses(n: number, age = 0, first = 0): PeerAddress[] {
  return Array.from({ length: n }, (_, i) => {
    const j = first + i;
    return gossiped(
      `${20 + (j % 70)}.${(j >> 4) & 255}.${j & 255}.${(j >> 12) + 1}`,
      8333,
      NOW - age,
    );
  });
}

/** Adds `list` to the book in chunks of 20 from different sources (so new buckets spread). */
function addSpread(book: AddrManager, list: PeerAddress[]): void {
  for (let c = 0; c * 20 < list.length; c++) {
    book.add(list.slice(c * 20, c * 20 + 20), ip(`${100 + (c % 27)}.${c >> 5}.9.9`));
  }
}

describe("timestamps", () => {
  test("implausible times become 5 days ago; plausible ones stay", () => {
    expect(sanitiseTime(NOW - 100, NOW)).toBe(NOW - 100);
    expect(sanitiseTime(NOW + 600, NOW)).toBe(NOW + 600);
    expect(sanitiseTime(NOW + 601, NOW)).toBe(NOW - 5 * 86400);
    expect(sanitiseTime(100_000_000, NOW)).toBe(NOW - 5 * 86400);
    expect(sanitiseTime(100_000_001, NOW)).toBe(100_000_001);
  });

  test("gossiped addresses are aged 2 hours, except the sender's own", () => {
    const { book, gossip, clock } = setup();
    const p = peer(1);
    gossip.addPeer(p);
    gossip.getaddrSent(1); // enough tokens
    clock.advance(0);
    gossip.onAddr(1, [
      gossiped("150.1.1.1", 8333, NOW - 60),
      gossiped("77.1.0.1", 8333, NOW - 60),
      gossiped("150.2.2.2", 8333, NOW + 3600),
    ]);
    expect(book.find(ip("150.1.1.1"), 8333)!.time).toBe(NOW - 60 - 7200);
    expect(book.find(ip("77.1.0.1"), 8333)!.time).toBe(NOW - 60);
    expect(book.find(ip("150.2.2.2"), 8333)!.time).toBe(NOW - 5 * 86400 - 7200);
  });
});

describe("token bucket", () => {
  test("earns 0.1 a second up to 1,000; getaddr grants 1,000 more", () => {
    const b = new AddrTokenBucket(0);
    expect(b.take()).toBe(true);
    expect(b.take()).toBe(false);
    b.refill(100_000);
    expect(b.tokens).toBeCloseTo(10, 9);
    b.refill(1e9);
    expect(b.tokens).toBe(1000);
    b.grant(1000);
    expect(b.tokens).toBe(2000);
    b.refill(2e9); // waiting never adds above the cap
    expect(b.tokens).toBe(2000);
  });

  test("an addr flood beyond the token bucket is dropped and counted", () => {
    const { gossip, clock, book } = setup();
    gossip.addPeer(peer(1));
    const first = gossip.onAddr(1, addresses(50));
    expect([first.accepted, first.rateLimited]).toEqual([1, 49]);
    clock.advance(100_000); // +10 tokens
    const second = gossip.onAddr(1, addresses(50, 0, 50));
    expect([second.accepted, second.rateLimited]).toEqual([10, 40]);
    gossip.getaddrSent(1);
    const answer = gossip.onAddr(1, addresses(1000, 0, 100));
    expect([answer.accepted, answer.rateLimited]).toEqual([1000, 0]);
    expect(gossip.stats()).toMatchObject({ received: 1011, rateLimited: 89 });
    // One source reaches 64 new buckets (4,096 slots): a few of the 1,011 collide.
    expect(book.size).toBeGreaterThan(850);
  });

  test("peers outside address relay are ignored", () => {
    const { gossip, book } = setup();
    gossip.addPeer(peer(1, { addrRelay: "never" }));
    expect(gossip.onAddr(1, addresses(1)).accepted).toBe(0);
    expect(gossip.onAddr(99, addresses(1)).accepted).toBe(0);
    expect(book.size).toBe(0);
    expect(gossip.stats().addrIgnored).toBe(2);
  });

  test("banned addresses are not stored", () => {
    const { gossip, book } = setup({ isBanned: (a) => a.bytes[0] === 150 });
    gossip.addPeer(peer(1));
    gossip.getaddrSent(1);
    gossip.onAddr(1, [gossiped("150.1.1.1", 8333), gossiped("151.1.1.1", 8333)]);
    expect(book.size).toBe(1);
  });
});

describe("services", () => {
  test("addresses of nodes keeping no blocks are neither stored nor relayed (Core's ADDR)", () => {
    const { gossip, book } = setup();
    for (const id of [1, 2, 3, 4]) gossip.addPeer(peer(id));
    gossip.getaddrSent(1); // tokens for the five
    gossip.onAddr(1, []); // the getaddr answer ends: what follows is relayed
    const offers: [string, bigint][] = [
      ["150.1.1.1", 0n],
      ["151.1.1.1", NODE_WITNESS],
      ["152.1.1.1", NODE_WITNESS | NODE_P2P_V2],
      ["153.1.1.1", NODE_NETWORK_LIMITED | NODE_WITNESS], // a pruned node, or btc-edge
      ["154.1.1.1", NODE_NETWORK], // no witness: still a full node worth knowing (feelers)
    ];
    const receipt = gossip.onAddr(
      1,
      offers.map(([host, services]) => input(host, 8333, NOW, services)),
    );
    expect(book.size).toBe(2);
    expect(book.find(ip("153.1.1.1"), 8333)?.services).toBe(NODE_NETWORK_LIMITED | NODE_WITNESS);
    expect(book.find(ip("154.1.1.1"), 8333)).toBeDefined();
    expect(book.find(ip("151.1.1.1"), 8333)).toBeUndefined();
    expect(receipt.accepted).toBe(2);
    // Only the two useful ones are relayed (to two peers each).
    const relayed = new Set(
      receipt.relay.map((o) => formatHostPort(o.address.addr, o.address.port)),
    );
    expect([...relayed].sort()).toEqual(["153.1.1.1:8333", "154.1.1.1:8333"]);
  });
});

describe("who takes part in address relay (Core SetupAddressRelay)", () => {
  test("outbound peers from the handshake, inbound ones once they send addr, never the others", () => {
    const { gossip } = setup();
    gossip.addPeer(peer(1));
    gossip.addPeer(peer(2, { inbound: true }));
    gossip.addPeer(peer(3, { addrRelay: "never" }));
    gossip.addPeer(peer(4, { inbound: true }));
    gossip.addPeer(peer(5, { inbound: true }));
    expect([1, 2, 3, 4, 5].map((id) => gossip.relaying(id))).toEqual([
      true,
      false,
      false,
      false,
      false,
    ]);
    // Inbound peer 2 takes part once it sends addresses, 4 once it asks for them.
    gossip.onAddr(2, []);
    gossip.onGetaddr(4);
    gossip.onAddr(3, []);
    expect([1, 2, 3, 4, 5].map((id) => gossip.relaying(id))).toEqual([
      true,
      true,
      false,
      true,
      false,
    ]);
    expect(gossip.stats().addrIgnored).toBe(1);
  });

  test("fresh addresses are relayed only to peers taking part", () => {
    const { gossip } = setup();
    gossip.addPeer(peer(1, { inbound: true }));
    gossip.addPeer(peer(2, { inbound: true }));
    gossip.addPeer(peer(3, { addrRelay: "never" }));
    gossip.addPeer(peer(4));
    gossip.addPeer(peer(5));
    gossip.getaddrSent(1); // tokens for what follows (an inbound peer is never asked in practice)
    gossip.onAddr(1, []); // ends that "answer"; peer 1 now takes part
    const to = new Set<number>();
    for (let k = 0; k < 30; k++) {
      const r = gossip.onAddr(1, addresses(1, 60, k));
      expect(r.relay.length).toBe(2);
      for (const o of r.relay) to.add(o.peerId);
    }
    expect([...to].sort()).toEqual([4, 5]);
  });
});

describe("relay", () => {
  function withPeers(n: number, extra: (id: number) => Partial<GossipPeer> = () => ({})) {
    const s = setup();
    for (let id = 1; id <= n; id++) s.gossip.addPeer(peer(id, extra(id)));
    for (let id = 1; id <= n; id++) s.gossip.getaddrSent(id);
    // Answers to our getaddr are not relayed until a message ends the answer.
    for (let id = 1; id <= n; id++) s.gossip.onAddr(id, []);
    return s;
  }

  test("each fresh address goes to exactly 2 peers, never back to its source", () => {
    const { gossip } = withPeers(8);
    const seen = new Map<number, number>();
    for (let k = 0; k < 40; k++) {
      const batch = addresses(10, 60, k * 10);
      const from = 1 + (k % 8);
      const r = gossip.onAddr(from, batch);
      expect(r.relay.length).toBe(20);
      for (const a of batch) {
        const to = r.relay.filter((o) => o.address.addr === a.addr).map((o) => o.peerId);
        expect(to.length).toBe(2);
        expect(new Set(to).size).toBe(2);
        expect(to).not.toContain(from);
      }
      for (const o of r.relay) seen.set(o.peerId, (seen.get(o.peerId) ?? 0) + 1);
    }
    // The keyed hash spreads the load over every peer.
    expect(seen.size).toBe(8);
    for (const n of seen.values()) expect(n).toBeGreaterThan(50);
  });

  test("the same address goes to the same peers all day, and (mostly) to others later", () => {
    const chooser = new RelayChooser(sha256, DETERMINISTIC_KEY);
    const peers = Array.from({ length: 20 }, (_, i) => ({ id: i + 1, addrv2: true }));
    let moved = 0;
    for (let i = 0; i < 20; i++) {
      const a = ip(`140.${i}.1.1`);
      const at = (t: number) => chooser.choose(a, 8333, peers, 0, t).join();
      const hoursInDay = new Set(
        Array.from({ length: 24 }, (_, h) => at(NOW + h * 3600)),
      );
      expect(hoursInDay.size).toBeLessThanOrEqual(2); // one rotation within any 24 hours
      if (at(NOW) !== at(NOW + 5 * 86400)) moved++;
    }
    expect(moved).toBeGreaterThan(10);
  });

  test("stale, unroutable and big-batch addresses are not relayed; Tor only to addrv2 peers", () => {
    const { gossip } = withPeers(6, (id) => ({ addrv2: id <= 3 }));
    expect(gossip.onAddr(1, addresses(3, 601)).relay).toEqual([]);
    expect(gossip.onAddr(1, [gossiped("10.1.1.1", 8333)]).relay).toEqual([]);
    expect(gossip.onAddr(1, addresses(11, 0, 500)).relay).toEqual([]);
    const tor = gossip.onAddr(4, [gossiped(ONION, 8333)]).relay;
    expect(tor.length).toBe(2);
    for (const o of tor) expect(o.peerId).toBeLessThanOrEqual(3);
  });

  test("an answer to our getaddr is not relayed", () => {
    const { gossip } = setup();
    for (let id = 1; id <= 4; id++) gossip.addPeer(peer(id));
    gossip.getaddrSent(1);
    expect(gossip.onAddr(1, addresses(5)).relay).toEqual([]);
    expect(gossip.onAddr(1, addresses(5, 0, 5)).relay.length).toBe(10);
  });
});

describe("getaddr", () => {
  test("sent once to each outbound peer taking part, however full the book", () => {
    const { gossip, book } = setup();
    gossip.addPeer(peer(1));
    gossip.addPeer(peer(2, { inbound: true }));
    gossip.addPeer(peer(3, { addrRelay: "never" }));
    expect(gossip.shouldSendGetaddr(1)).toBe(true);
    expect(gossip.shouldSendGetaddr(2)).toBe(false);
    expect(gossip.shouldSendGetaddr(3)).toBe(false);
    gossip.getaddrSent(1);
    expect(gossip.shouldSendGetaddr(1)).toBe(false);
    addSpread(book, addresses(1100));
    expect(book.needMoreAddresses()).toBe(false);
    gossip.addPeer(peer(4));
    expect(gossip.shouldSendGetaddr(4)).toBe(true);
  });

  test("answered once, to inbound peers only, with 23% of the book", () => {
    const { gossip, book } = setup();
    addSpread(book, addresses(2006));
    expect(book.size).toBeGreaterThan(1950);
    gossip.addPeer(peer(1, { inbound: true }));
    gossip.addPeer(peer(2));
    gossip.addPeer(peer(3, { inbound: true, addrRelay: "never" }));
    const answer = gossip.onGetaddr(1)!;
    expect(answer.command).toBe("addrv2");
    expect(answer.addresses.length).toBe(Math.floor((book.size * 23) / 100));
    expect(gossip.onGetaddr(1)).toBeUndefined();
    expect(gossip.onGetaddr(2)).toBeUndefined();
    expect(gossip.onGetaddr(3)).toBeUndefined();
    expect(gossip.stats()).toMatchObject({ getaddrAnswered: 1, getaddrIgnored: 3 });
  });

  test("at most 1,000 addresses; terrible and banned ones left out", () => {
    const { gossip, book } = setup({ isBanned: (a) => a.bytes[0] === 31 });
    addSpread(book, addresses(5000));
    addSpread(book, addresses(200, 40 * 86400, 6000)); // 40 days old: terrible
    gossip.addPeer(peer(1, { inbound: true }));
    const answer = gossip.onGetaddr(1)!;
    expect(answer.addresses.length).toBe(1000);
    for (const a of answer.addresses) {
      expect(a.addr.bytes[0]).not.toBe(31);
      expect(a.time).toBeGreaterThan(NOW - 30 * 86400);
    }
  });

  test("the answer is cached for 21 to 27 hours per network (anti-scraping)", () => {
    const { gossip, book, clock } = setup();
    addSpread(book, addresses(3000));
    const ask = (id: number) => {
      gossip.addPeer(peer(id, { inbound: true }));
      const a = gossip.onGetaddr(id)!.addresses.map((x) => formatHostPort(x.addr, x.port));
      gossip.removePeer(id);
      return a.join();
    };
    const first = ask(1);
    expect(ask(2)).toBe(first);
    clock.advance(21 * 3600_000 - 1);
    expect(ask(3)).toBe(first);
    clock.advance(6 * 3600_000 + 1);
    expect(ask(4)).not.toBe(first);
    gossip.addPeer(peer(5, { inbound: true, address: ip(ONION) }));
    const tor = gossip.onGetaddr(5)!.addresses.map((x) => formatHostPort(x.addr, x.port));
    expect(tor.join()).not.toBe(ask(6));
  });

  test("addrv2 to peers that sent sendaddrv2; addr with IPv4 and IPv6 only to others", () => {
    const { gossip, book } = setup();
    const tor = Array.from({ length: 40 }, (_, i) => {
      const b = ip(ONION).bytes.slice();
      b[0] = i * 6;
      return {
        addr: { network: "onion" as const, bytes: b },
        port: 8333,
        time: NOW,
        services: FULL,
      };
    });
    addSpread(book, [...addresses(200), ...tor, gossiped("2001:4860::1", 8333)]);
    gossip.addPeer(peer(1, { inbound: true, addrv2: false }));
    gossip.addPeer(peer(2, { inbound: true, addrv2: true }));
    const v1 = gossip.onGetaddr(1)!;
    const v2 = gossip.onGetaddr(2)!;
    expect(v1.command).toBe("addr");
    expect(v2.command).toBe("addrv2");
    expect(v1.addresses.every((a) => a.addr.network === "ipv4" || a.addr.network === "ipv6"))
      .toBe(true);
    expect(v2.addresses.some((a) => a.addr.network === "onion")).toBe(true);
    expect(v1.addresses.length).toBeLessThan(v2.addresses.length);
  });
});
