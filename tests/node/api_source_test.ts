/**
 * The node's `ApiSource` over a real address book and block manager: the
 * address listing pages through the whole book once with opaque cursors,
 * filters by network and table, answers counts only for limit 0, gives
 * times in milliseconds, and refuses a stale or foreign cursor with a 400
 * naming `cursor`; before start the reads answer empty views.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { memoryStore } from "../../adapters/storage/memory.ts";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import { renderMetrics } from "../../src/api/metrics.ts";
import { addressesResponse, chainResponse, inventoryResponse } from "../../src/api/schemas.ts";
import { type AddressQuery, ApiRequestError, type NodeEvent } from "../../src/api/source.ts";
import { silentLogger } from "../../src/log/logger.ts";
import { nodeApiSource } from "../../src/node/api_source.ts";
import { EventBus } from "../../src/node/event_bus.ts";
import { NodeMetrics } from "../../src/node/node_metrics.ts";
import { BanList } from "../../src/peer/ban_list.ts";
import { NODE_NETWORK, NODE_WITNESS } from "../../src/peer/services.ts";
import { seededRandom } from "../../src/platform/random.ts";
import { BlockManager } from "../../src/sync/block_manager.ts";
import { systemClock } from "../../src/platform/system_clock.ts";
import { parseAddress } from "../../src/wire/address_format.ts";
import type { PeerAddress } from "../../src/wire/messages/addr.ts";
import { getParams } from "../../src/wire/params.ts";

const sha256 = platform.sha256;

/** A book of about 300 IPv4 and 20 IPv6 addresses, one of them tried. */
function sampleBook(): AddrManager {
  const book = new AddrManager({ sha256, clock: systemClock, random: seededRandom(3) });
  const time = Math.floor(Date.now() / 1000);
  const services = NODE_NETWORK | NODE_WITNESS;
  const list: PeerAddress[] = [];
  for (let i = 0; i < 300; i++) {
    const addr = parseAddress(`${20 + (i % 50)}.${1 + Math.floor(i / 50)}.${i % 256}.1`);
    list.push({ addr, port: 8333, services, time });
  }
  for (let i = 0; i < 20; i++) {
    list.push({ addr: parseAddress(`2001:4860:${i + 1}::1`), port: 8333, services, time });
  }
  book.add(list, parseAddress("8.8.8.8"));
  expect(book.good(parseAddress("20.1.0.1"), 8333, false)).toBe(true);
  return book;
}

function sourceOver(book: AddrManager | null, bans: BanList | null = null) {
  return nodeApiSource({
    status: () => {
      throw new Error("not used");
    },
    connmgr: () => null,
    addrman: () => book,
    bans: () => bans,
    blocks: new BlockManager({
      params: getParams("regtest"),
      sha256,
      clock: systemClock,
      logger: silentLogger,
    }),
    metrics: new NodeMetrics(),
    events: new EventBus<NodeEvent>(),
    ban: (address, reason, ms) => bans?.ban(address, reason, ms) ?? Promise.resolve(),
  });
}

function query(q: Partial<AddressQuery>): AddressQuery {
  return { limit: 100, ...q };
}

/** The ApiRequestError `fn` throws. */
function refusal(fn: () => unknown): ApiRequestError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiRequestError) return error;
    throw error;
  }
  throw new Error("expected an ApiRequestError");
}

describe("the address listing", () => {
  test("pages of 100 walk the whole book once, the last without a cursor", () => {
    const book = sampleBook();
    const source = sourceOver(book);
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    for (; pages < 10; pages++) {
      const page = addressesResponse.parse(source.addresses(query({ cursor })));
      for (const item of page.items) seen.add(`${item.address}:${item.port}`);
      const total = Object.values(page.counts).reduce((n, c) => n + c.new + c.tried, 0);
      expect(total).toBe(book.size);
      expect(page.needMoreAddresses).toBe(true);
      cursor = page.nextCursor;
      if (cursor === undefined) break;
      expect(page.items.length).toBe(100);
    }
    expect(book.size).toBeGreaterThan(200);
    expect(pages).toBe(Math.ceil(book.size / 100) - 1);
    expect(seen.size).toBe(book.size);
  });

  test("filters by network and table; times are milliseconds", () => {
    const book = sampleBook();
    const source = sourceOver(book);
    const v6 = source.addresses(query({ network: "ipv6", limit: 1000 }));
    expect(v6.items.length).toBe(v6.counts.ipv6.new + v6.counts.ipv6.tried);
    expect(v6.items.every((i) => i.network === "ipv6" && i.address.startsWith("2001:4860:")))
      .toBe(true);
    expect(v6.nextCursor).toBeUndefined();

    const tried = source.addresses(query({ table: "tried" }));
    expect(tried.items).toEqual([{
      address: "20.1.0.1",
      port: 8333,
      services: "0000000000000009",
      table: "tried",
      network: "ipv4",
      lastSuccess: book.find(parseAddress("20.1.0.1"), 8333)!.lastSuccess * 1000,
      attempts: 0,
    }]);
    expect(tried.items[0].lastSuccess).toBeGreaterThan(1_600_000_000_000);

    // A filtered page of 1 continues from its cursor to the next match.
    const first = source.addresses(query({ network: "ipv6", limit: 1 }));
    const second = source.addresses(query({ network: "ipv6", limit: 1, cursor: first.nextCursor }));
    expect(second.items[0]).toEqual(v6.items[1]);
  });

  test("limit 0 answers the counts only", () => {
    const page = sourceOver(sampleBook()).addresses(query({ limit: 0 }));
    expect(page.items).toEqual([]);
    expect(page.nextCursor).toBeUndefined();
    expect(page.counts.ipv4.tried).toBe(1);
  });

  test("a cursor that is not ours, or names an address no longer in the book, is a 400", () => {
    const source = sourceOver(sampleBook());
    for (
      const cursor of ["nonsense", "ipv4.zz.8333", "ipv4.14010001.70000", "tor.14010001.8333"]
    ) {
      const e = refusal(() => source.addresses(query({ cursor })));
      expect([e.status, e.field]).toEqual([400, "cursor"]);
    }
    // 192.0.2.1:8333 is well formed but not in the book.
    const gone = refusal(() => source.addresses(query({ cursor: "ipv4.c0000201.8333" })));
    expect([gone.status, gone.field]).toEqual([400, "cursor"]);
    expect(gone.message).toContain("no longer valid");
  });

  test("before start: an empty book, the genesis chain, no blocks, zero metrics", () => {
    const source = sourceOver(null);
    const page = addressesResponse.parse(source.addresses(query({})));
    expect(page.items).toEqual([]);
    expect(page.counts.ipv4).toEqual({ new: 0, tried: 0 });
    const stale = refusal(() => source.addresses(query({ cursor: "ipv4.c0000201.8333" })));
    expect(stale.field).toBe("cursor");

    const regtest = getParams("regtest");
    const chain = chainResponse.parse(source.chain());
    expect(chain.tip).toEqual({ hash: regtest.genesisHash, height: 0 });
    expect(chain.recent).toEqual([{ hash: regtest.genesisHash, height: 0, time: 1296688602 }]);
    expect(inventoryResponse.parse(source.inventory())).toEqual({
      recentBlocks: [],
      knownInventory: [],
    });
    const metrics = source.metrics();
    expect(metrics.errors).toEqual({ decode: 0, misbehaviour: 0, dial: 0, api: 0 });
    expect(renderMetrics(metrics)).toContain("btc_edge_header_height 0\n");
  });
});

describe("bans through the API source", () => {
  test("a ban that is gone at once (full list, it ends soonest) is a 409, not a crash", async () => {
    const bans = await BanList.load({ store: memoryStore(), clock: systemClock, maxEntries: 1 });
    await bans.ban(parseAddress("203.0.113.9"), "long", 10 * 3600_000);
    const source = sourceOver(null, bans);
    // The list keeps one ban; a 1-second ban ends sooner than the 10-hour one, so it goes.
    const error = await source.ban("198.51.100.7", 1, "short").catch((e) => e);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect((error as ApiRequestError).status).toBe(409);
    expect((await source.ban("198.51.100.8", 20 * 3600, "longer")).address).toBe("198.51.100.8");
  });
});
