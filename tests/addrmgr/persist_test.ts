/**
 * peers.json: a round trip rebuilds the same tables (same file, same
 * selections); every kind of corrupt file is set aside and the node starts
 * empty; saving runs every 10 minutes while changed and on stop.
 */
import { describe, expect, test } from "bun:test";
import { AddrManager } from "../../src/addrmgr/addr_manager.ts";
import {
  PEERS_KEY,
  serializePeers,
  type StoredEntry,
  type StoredPeers,
} from "../../src/addrmgr/persist.ts";
import { seededRandom } from "../../src/platform/random.ts";
import type { KvStore } from "../../src/platform/storage.ts";
import { createLogger, memorySink } from "../../src/log/logger.ts";
import { flipIpv6ToCjdns } from "../../src/wire/address.ts";
import { formatHostPort } from "../../src/wire/host_port.ts";
import { internalAddress } from "../../src/wire/internal_address.ts";
import { memoryStore } from "../../adapters/storage/memory.ts";
import { nodeSha256 as sha256 } from "../support/vectors.ts";
import { DETERMINISTIC_KEY, input, ip, ManualClock, NOW } from "./helpers.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function make(store: KvStore, seed = 3, clock = new ManualClock(NOW * 1000)) {
  const log = memorySink();
  const options = {
    sha256,
    clock,
    store,
    random: seededRandom(seed),
    key: DETERMINISTIC_KEY,
    logger: createLogger({ sink: log.sink, level: "debug" }),
  };
  return { options, log, clock };
}

/** A book with every network, tried and new entries, several references, failures. */
function fill(m: AddrManager, clock: ManualClock): void {
  const seed = internalAddress(sha256, "seed.bitcoin.sipa.be");
  for (let i = 0; i < 400; i++) {
    const host = `${130 + (i % 80)}.${i % 7}.${i % 251}.9`;
    m.add([input(host, 8333 + (i % 3), NOW - i)], i % 5 === 0 ? seed : ip(`${60 + (i % 9)}.3.3.3`));
    if (i % 4 === 0) m.good(ip(host), 8333 + (i % 3));
    if (i % 6 === 0) m.attempt(ip(host), 8333 + (i % 3), true);
  }
  m.add([
    input("2001:4860::8888", 8333),
    input("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion", 8333),
    input("c4gfnttsuwqomiygupdqqqyy5y5emnk5c73hrfvatri67prd7vyq.b32.i2p", 0),
    { addr: flipIpv6ToCjdns(ip("fc00:1:2:3:4:5:6:7")), port: 8333, time: NOW, services: 1n << 63n },
  ], ip("2a01:4f8::1"));
  // The same address heard later from many sources gains new-table references.
  for (let i = 1; i < 60; i++) m.add([input("150.10.10.10", 8333, NOW + i)], ip(`${i}.9.9.9`));
  clock.advance(1000);
}

const selections = (m: AddrManager) =>
  Array.from({ length: 200 }, (_, i) => {
    const s = m.select({ outbound: i % 9, newOnly: i % 7 === 0 })!;
    return formatHostPort(s.addr, s.port);
  });

describe("round trip", () => {
  test("saving and loading gives the same file, the same counts and the same selections", async () => {
    const store = memoryStore();
    const a = make(store);
    const original = new AddrManager(a.options);
    fill(original, a.clock);
    expect(original.stats().tried).toBeGreaterThan(50);
    expect(original.find(ip("150.10.10.10"), 8333)).toBeDefined();
    expect(await original.save()).toBe(true);
    const text = decoder.decode((await store.get(PEERS_KEY))!);

    const otherKey = new Uint8Array(32).fill(7); // the file's key must win over this one
    const restored = new AddrManager({ ...make(store).options, key: otherKey });
    expect(await restored.load()).toBe("loaded");
    expect(serializePeers(restored.tables)).toBe(text);
    // Pending tried collisions are a transient to-do list (Core does not keep them either).
    expect(original.stats().pendingCollisions).toBeGreaterThan(0);
    expect(restored.stats()).toEqual({
      ...original.stats(),
      lastSaved: null,
      pendingCollisions: 0,
    });
    expect(restored.tables.key).toEqual(DETERMINISTIC_KEY);
    // Same tables + same random stream ⇒ the same choices, original and restored alike.
    const twin = new AddrManager({ ...make(store).options, key: otherKey });
    await twin.load();
    expect(selections(restored)).toEqual(selections(twin));
  });

  test("the original and the restored book make the same selections from the same stream", async () => {
    const store = memoryStore();
    const a = make(store);
    let stream = seededRandom(3);
    const switchable = {
      bytes: (n: number) => stream.bytes(n),
      int: (max: number) => stream.int(max),
      float: () => stream.float(),
    };
    const original = new AddrManager({ ...a.options, random: switchable });
    fill(original, a.clock);
    await original.save();
    stream = seededRandom(99);
    const restored = await AddrManager.open({ ...make(store).options, random: seededRandom(99) });
    const picks = selections(original);
    expect(new Set(picks).size).toBeGreaterThan(50);
    expect(selections(restored)).toEqual(picks);
  });

  test("the file is readable: usual address forms, one entry per line", async () => {
    const store = memoryStore();
    const a = make(store);
    const m = new AddrManager(a.options);
    fill(m, a.clock);
    await m.save();
    const text = decoder.decode((await store.get(PEERS_KEY))!);
    const lines = text.split("\n");
    expect(lines.length).toBe(m.size + 11); // 9 lines of header and brackets, a final newline
    const json = JSON.parse(text);
    expect(json.format).toBe("btc-edge peers");
    expect(json.version).toBe(1);
    expect(json.key).toBe("01" + "00".repeat(31));
    const byAddress = new Map(json.entries.map((e: { address: string }) => [e.address, e]));
    expect(byAddress.get("[fc00:1:2:3:4:5:6:7]:8333")).toMatchObject({
      network: "cjdns",
      services: "9223372036854775808",
      source: "2a01:4f8::1",
    });
    expect(byAddress.has("pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion:8333"))
      .toBe(true);
    expect(byAddress.has("[2001:4860::8888]:8333")).toBe(true);
    const multi = byAddress.get("150.10.10.10:8333") as { new: unknown[] };
    expect(multi.new.length).toBeGreaterThan(1);
    expect(text).toContain('"sourceNetwork":"internal"');
  });
});

describe("same bytes on every runtime", () => {
  test("a fixed history serializes to the same file under bun, deno and node", () => {
    const store = memoryStore();
    const a = make(store);
    const m = new AddrManager(a.options);
    fill(m, a.clock);
    const text = serializePeers(m.tables);
    const digest = Array.from(sha256(encoder.encode(text)), (b) => b.toString(16).padStart(2, "0"))
      .join("");
    expect([text.length, digest]).toEqual(EXPECTED_FILE);
  });
});

/** Length and SHA-256 of the file `fill` produces (recorded once; every runtime must match). */
const EXPECTED_FILE = [93320, "6a1cc5efdeb8f2ca4326c25b72b923ef76c95036093a3e731ab424eaa959e1cb"];

describe("corrupt files", () => {
  /** Writes `bytes` as peers.json, opens a book, and checks the fresh start and the set-aside file. */
  async function openCorrupt(bytes: Uint8Array) {
    const store = memoryStore();
    await store.set(PEERS_KEY, bytes);
    const { options, log } = make(store);
    const m = new AddrManager({ ...options, key: undefined });
    expect(await m.load()).toBe("corrupt");
    expect(m.size).toBe(0);
    expect(await store.get(PEERS_KEY)).toBeUndefined();
    const aside = await store.list(`${PEERS_KEY}.corrupt-`);
    expect(aside).toEqual(["peers.json.corrupt-2023-11-14T22-13-20-000Z"]);
    expect(await store.get(aside[0])).toEqual(bytes);
    const warning = log.records.find((r) => r.level === "warn")!;
    expect(warning.message).toContain("unusable");
    // The node goes on: it can add, save, and load what it saved.
    m.add([input("1.2.3.4", 8333)], ip("1.2.3.4"));
    expect(await m.save()).toBe(true);
    expect(await new AddrManager(make(store).options).load()).toBe("loaded");
    return String(warning.fields.reason);
  }

  async function goodFile(): Promise<string> {
    const store = memoryStore();
    const a = make(store);
    const m = new AddrManager(a.options);
    fill(m, a.clock);
    await m.save();
    return decoder.decode((await store.get(PEERS_KEY))!);
  }

  /** The good file with `change` applied to its parsed JSON. */
  /** The parsed file, loosely typed so tests can break it. */
  type Loose = Omit<StoredPeers, "entries" | "version" | "format"> & {
    version: unknown;
    format: unknown;
    entries: (StoredEntry & Record<string, unknown>)[];
  };

  async function edited(change: (json: Loose) => void): Promise<Uint8Array> {
    const json = JSON.parse(await goodFile()) as Loose;
    change(json);
    return encoder.encode(JSON.stringify(json));
  }

  test("truncated", async () => {
    const text = await goodFile();
    expect(await openCorrupt(encoder.encode(text.slice(0, text.length >> 1)))).toMatch(/JSON/i);
  });

  test("not JSON, and not UTF-8", async () => {
    await openCorrupt(encoder.encode("{ this is not json"));
    await openCorrupt(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d));
  });

  test("wrong version or format", async () => {
    expect(await openCorrupt(await edited((j) => (j.version = 2)))).toContain("version");
    expect(await openCorrupt(await edited((j) => (j.format = "other")))).toContain("format");
  });

  test("a tried slot or a new slot where the key does not put it", async () => {
    const tried = await edited((j) => {
      const e = j.entries.find((x) => x.tried !== null)!;
      e.tried![1] = (e.tried![1] + 1) % 64;
    });
    expect(await openCorrupt(tried)).toContain("tried slot");
    const moved = await edited((j) => {
      const e = j.entries.find((x) => x.new.length > 0)!;
      e.new[0][1] = (e.new[0][1] + 1) % 64;
    });
    expect(await openCorrupt(moved)).toContain("new slot");
  });

  test("a slot used twice, an entry in both tables or in none, a duplicate address", async () => {
    expect(
      await openCorrupt(
        await edited((j) => {
          const e = j.entries.find((x) => x.new.length > 0)!;
          e.new.push(e.new[0]);
        }),
      ),
    ).toContain("taken twice");
    expect(
      await openCorrupt(
        await edited((j) => {
          const e = j.entries.find((x) => x.tried !== null)!;
          e.new = [[0, 0]];
        }),
      ),
    ).toContain("exactly one table");
    expect(
      await openCorrupt(
        await edited((j) => {
          j.entries.find((x) => x.new.length > 0)!.new = [];
        }),
      ),
    ).toContain("exactly one table");
    expect(
      await openCorrupt(await edited((j) => j.entries.push(j.entries[0]))),
    ).toContain("twice");
  });

  test("counts that disagree with the entries", async () => {
    expect(await openCorrupt(await edited((j) => j.newCount++))).toContain("counts");
    expect(await openCorrupt(await edited((j) => (j.triedCount = 0)))).toContain("counts");
  });

  test("negative times, out-of-range buckets, bad fields", async () => {
    await openCorrupt(await edited((j) => (j.entries[0].lastTry = -5)));
    await openCorrupt(await edited((j) => (j.entries[0].attempts = 1.5)));
    await openCorrupt(await edited((j) => (j.entries[0].new = [[1024, 0]])));
    await openCorrupt(await edited((j) => (j.entries[0].services = "-1")));
    await openCorrupt(await edited((j) => (j.entries[0].extra = true)));
    await openCorrupt(await edited((j) => (j.key = "zz")));
  });

  test("addresses that are unroutable, malformed or not canonical", async () => {
    await openCorrupt(await edited((j) => (j.entries[0].address = "10.0.0.1:8333")));
    await openCorrupt(await edited((j) => (j.entries[0].address = "999.1.1.1:8333")));
    await openCorrupt(await edited((j) => (j.entries[0].address = "1.2.3.4")));
    await openCorrupt(
      await edited((j) => {
        const e = j.entries.find((x) => x.network === "ipv6")!;
        e.address = e.address.replace("2001:4860::8888", "2001:4860:0:0::8888");
      }),
    );
    await openCorrupt(await edited((j) => (j.entries[0].network = "ipv6")));
  });
});

describe("saving", () => {
  /** A store that counts writes and can be made to fail. */
  function countingStore() {
    const inner = memoryStore();
    const state = { writes: 0, fail: false };
    const store: KvStore = {
      ...inner,
      set: (k, v) => {
        if (state.fail) return Promise.reject(new Error("disk full"));
        state.writes++;
        return inner.set(k, v);
      },
    };
    return { store, state, inner };
  }

  test("every 10 minutes while changed, not when unchanged, and on stop", async () => {
    const { store, state } = countingStore();
    const { options, clock } = make(store);
    const m = await AddrManager.open(options);
    m.start();
    m.add([input("1.2.3.4", 8333)], ip("1.2.3.4"));
    clock.advance(9 * 60_000);
    await Promise.resolve();
    expect(state.writes).toBe(0);
    clock.advance(60_000);
    await m.stop().then(() => m.start()); // flush the write the timer started
    expect(state.writes).toBe(1);
    clock.advance(30 * 60_000);
    await Promise.resolve();
    expect(state.writes).toBe(1);
    m.good(ip("1.2.3.4"), 8333);
    await m.stop();
    expect(state.writes).toBe(2);
    expect(clock.pending).toBe(0);
    await m.stop();
    expect(state.writes).toBe(2);
  });

  test("a failed write warns, resolves false and keeps the book marked as changed", async () => {
    const { store, state } = countingStore();
    const { options, log } = make(store);
    const m = new AddrManager(options);
    m.add([input("1.2.3.4", 8333)], ip("1.2.3.4"));
    state.fail = true;
    expect(await m.save()).toBe(false);
    expect(m.stats().dirty).toBe(true);
    expect(log.records.some((r) => r.level === "warn" && r.message.includes("cannot save"))).toBe(
      true,
    );
    state.fail = false;
    expect(await m.save()).toBe(true);
    expect(m.stats().dirty).toBe(false);
  });

  test("a store that cannot be read gives an empty book, not a failure", async () => {
    const store: KvStore = {
      ...memoryStore(),
      get: () => Promise.reject(new Error("permission denied")),
    };
    const m = await AddrManager.open(make(store).options);
    expect(m.size).toBe(0);
    expect(await new AddrManager(make(memoryStore()).options).load()).toBe("missing");
  });
});
