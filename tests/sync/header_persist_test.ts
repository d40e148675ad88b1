/** Header persistence: round trips, incremental saves, and every kind of corrupt chunk. */
import { describe, expect, test } from "bun:test";
import { memoryStore } from "../../adapters/storage/memory.ts";
import { createLogger, memorySink } from "../../src/log/logger.ts";
import type { KvStore } from "../../src/platform/storage.ts";
import type { HeaderChain } from "../../src/sync/header_chain.ts";
import {
  headerChunkKey,
  HeaderPersistence,
  HEADERS_PER_CHUNK,
} from "../../src/sync/header_persist.ts";
import { fromHex, hashToHex, hexToHash } from "../../src/wire/bytes.ts";
import { sha256d } from "../../src/wire/hash.ts";
import { type NetworkParams, NETWORKS } from "../../src/wire/params.ts";
import {
  mainnetHeaders,
  mineRun,
  newChain,
  REGTEST_GENESIS_TIME,
  sha256,
  vectorJson,
} from "./helpers.ts";

const STAMP = 1_750_000_000_000;

function persistence(store: KvStore, chain: HeaderChain) {
  const log = memorySink();
  const p = new HeaderPersistence({
    store,
    chain,
    sha256,
    now: () => STAMP,
    logger: createLogger({ sink: log.sink, level: "debug" }),
  });
  return { p, records: log.records };
}

/** Chain state worth comparing after a reload. */
function summary(chain: HeaderChain) {
  const heights: string[] = [];
  for (let h = 0; h <= chain.tipHeight; h++) heights.push(hashToHex(chain.hashAt(h)!));
  return { count: chain.count, tip: hashToHex(chain.tip().hash), work: chain.tipWork, heights };
}

/** 4,500 regtest headers (3 chunks) plus a 3-header side branch, mined once. */
const regtestHeaders = mineRun(
  hexToHash(NETWORKS.regtest.genesisHash),
  4500,
  REGTEST_GENESIS_TIME + 1,
  NETWORKS.regtest.powLimitBits,
  1,
);

function regtestChain(n = 4500): HeaderChain {
  const chain = newChain(NETWORKS.regtest);
  for (const raw of regtestHeaders.slice(0, n)) chain.acceptHeader(raw);
  return chain;
}

/** A store holding the 4,501-header regtest chain, saved. */
async function savedStore(): Promise<{ store: KvStore; original: HeaderChain }> {
  const store = memoryStore();
  const original = regtestChain();
  await persistence(store, original).p.save();
  return { store, original };
}

async function reload(store: KvStore, params: NetworkParams = NETWORKS.regtest) {
  const chain = newChain(params);
  const { p, records } = persistence(store, chain);
  const report = await p.load();
  return { chain, report, records, p };
}

/** Rewrites chunk `n` of `store` through `edit`. */
async function editChunk(store: KvStore, n: number, edit: (bytes: Uint8Array) => Uint8Array) {
  const key = headerChunkKey(n);
  await store.set(key, edit((await store.get(key))!));
}

/** Recomputes a chunk's checksum after its headers were edited. */
function reseal(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out.set(sha256d(sha256, out.subarray(52)).subarray(0, 4), 48);
  return out;
}

describe("header persistence", () => {
  test("save then load into a fresh chain gives the same tip, work and heights", async () => {
    const store = memoryStore();
    const chain = newChain(NETWORKS.main, Date.now());
    for (const raw of mainnetHeaders().slice(1)) chain.acceptHeader(raw);
    const { p } = persistence(store, chain);
    expect(await p.save()).toBe(256);
    expect(await store.list()).toEqual([headerChunkKey(0)]);
    const fresh = newChain(NETWORKS.main, Date.now());
    const loaded = persistence(store, fresh);
    expect(await loaded.p.load()).toEqual({ loaded: 255, setAside: [], problem: null });
    expect(summary(fresh)).toEqual(summary(chain));
    expect(fresh.tipWork).toBe(0x10001000100n);
    expect(loaded.p.savedCount).toBe(256);
    expect(await loaded.p.save()).toBe(0);
  });

  test("side branches survive a restart (the reorg chain reloads onto 5A)", async () => {
    const reorg = vectorJson<{ blocks: { hex: string }[]; expected_final_tip: string }>(
      "reorg-chain.json",
    );
    const chain = newChain(NETWORKS.main, Date.now());
    for (const b of reorg.blocks.slice(1)) {
      chain.acceptHeader(fromHex(b.hex.slice(0, 160)));
    }
    const store = memoryStore();
    await persistence(store, chain).p.save();
    const fresh = newChain(NETWORKS.main, Date.now());
    await persistence(store, fresh).p.load();
    expect(fresh.count).toBe(8);
    expect(hashToHex(fresh.tip().hash)).toBe(reorg.expected_final_tip);
  });

  test("saves are incremental and a reload after several saves is whole", async () => {
    const store = memoryStore();
    const chain = regtestChain(1000);
    const { p } = persistence(store, chain);
    expect(await p.save()).toBe(1001);
    for (const raw of regtestHeaders.slice(1000, 4500)) chain.acceptHeader(raw);
    expect(await p.save()).toBe(3500);
    expect(p.savedCount).toBe(4501);
    expect(await store.list("headers-")).toEqual([0, 1, 2].map(headerChunkKey));
    const { chain: fresh, report } = await reload(store);
    expect(report).toEqual({ loaded: 4500, setAside: [], problem: null });
    expect(summary(fresh)).toEqual(summary(chain));
    expect(HEADERS_PER_CHUNK).toBe(2000);
  });

  test("only the last chunk and new ones are rewritten by a later save", async () => {
    const store = memoryStore();
    const chain = regtestChain(2500);
    const written: string[] = [];
    const watched: KvStore = {
      ...store,
      set: (key, value) => {
        written.push(key);
        return store.set(key, value);
      },
    };
    const { p } = persistence(watched, chain);
    await p.save();
    expect(written).toEqual([headerChunkKey(0), headerChunkKey(1)]);
    written.length = 0;
    for (const raw of regtestHeaders.slice(2500, 4500)) chain.acceptHeader(raw);
    expect(await p.save()).toBe(2000);
    expect(written).toEqual([headerChunkKey(1), headerChunkKey(2)]);
  });

  test("load refuses a chain that already has headers", async () => {
    const { store } = await savedStore();
    const { p } = persistence(store, regtestChain(5));
    await expect(p.load()).rejects.toThrow("fresh chain");
  });

  test("an empty store loads nothing, without warnings", async () => {
    const { chain, report, records } = await reload(memoryStore());
    expect(report).toEqual({ loaded: 0, setAside: [], problem: null });
    expect(chain.count).toBe(1);
    expect(records.length).toBe(0);
  });
});

describe("corrupt chunks are set aside and the node starts anyway", () => {
  /** One way to break chunk `chunk`, and the headers expected to survive (genesis included). */
  interface Corruption {
    name: string;
    chunk: number;
    edit: (bytes: Uint8Array) => Uint8Array;
    survivors: number;
    problem: RegExp;
  }
  const flip = (at: number) => (b: Uint8Array) => {
    const out = b.slice();
    out[at] ^= 0xff;
    return out;
  };
  const setU32 = (at: number, value: number) => (b: Uint8Array) => {
    const out = b.slice();
    new DataView(out.buffer).setUint32(at, value, true);
    return out;
  };
  const cases: Corruption[] = [
    { name: "bad magic", chunk: 0, edit: flip(0), survivors: 1, problem: /magic/ },
    { name: "unknown version", chunk: 0, edit: setU32(4, 2), survivors: 1, problem: /version/ },
    { name: "another network", chunk: 0, edit: flip(8), survivors: 1, problem: /network/ },
    { name: "wrong number", chunk: 1, edit: setU32(40, 7), survivors: 2000, problem: /numbered/ },
    { name: "zero count", chunk: 1, edit: setU32(44, 0), survivors: 2000, problem: /holds 0/ },
    { name: "count too big", chunk: 1, edit: setU32(44, 2001), survivors: 2000, problem: /holds/ },
    {
      name: "truncated",
      chunk: 1,
      edit: (b) => b.subarray(0, b.length - 1),
      survivors: 2000,
      problem: /needs/,
    },
    {
      name: "trailing bytes",
      chunk: 2,
      edit: (b) => Uint8Array.of(...b, 0),
      survivors: 4000,
      problem: /trailing/,
    },
    {
      name: "flipped header byte",
      chunk: 2,
      edit: flip(100),
      survivors: 4000,
      problem: /checksum/,
    },
    { name: "bad checksum", chunk: 1, edit: flip(48), survivors: 2000, problem: /checksum/ },
    {
      name: "an invalid header with a valid checksum (later headers unlinked)",
      chunk: 1,
      edit: (b) => reseal(flip(52 + 80 * 10 + 4)(b)),
      survivors: 2010,
      problem: /header 2010/,
    },
    { name: "a garbage file", chunk: 0, edit: () => new Uint8Array(7), survivors: 1, problem: /./ },
  ];

  for (const c of cases) {
    test(`${c.name} in chunk ${c.chunk}`, async () => {
      const { store } = await savedStore();
      await editChunk(store, c.chunk, c.edit);
      const { chain, report, records, p } = await reload(store);
      expect(chain.count).toBe(c.survivors);
      expect(report.problem).toMatch(c.problem);
      const aside = [0, 1, 2].filter((n) => n >= c.chunk).map((n) =>
        `${headerChunkKey(n)}.corrupt-${STAMP}`
      );
      expect(report.setAside).toEqual(aside);
      for (const key of aside) expect(await store.get(key)).toBeDefined();
      expect(records.filter((r) => r.level === "warn").length).toBe(1);
      // The next save rewrites from the first set-aside chunk, and a reload is clean.
      for (const raw of regtestHeaders) {
        if (!chain.has(sha256d(sha256, raw))) chain.acceptHeader(raw);
      }
      await p.save();
      const healed = await reload(store);
      expect(healed.report.problem).toBeNull();
      expect(healed.chain.count).toBe(4501);
    });
  }

  test("a missing middle chunk sets aside the chunks after the gap", async () => {
    const { store } = await savedStore();
    await store.delete(headerChunkKey(1));
    const { chain, report } = await reload(store);
    expect(chain.count).toBe(2000);
    expect(report.setAside).toEqual([`${headerChunkKey(2)}.corrupt-${STAMP}`]);
  });

  test("a partial chunk followed by another is a gap", async () => {
    const store = memoryStore();
    const chain = regtestChain(100);
    await persistence(store, chain).p.save();
    const { store: full } = await savedStore();
    await store.set(headerChunkKey(1), (await full.get(headerChunkKey(1)))!);
    const { chain: fresh, report } = await reload(store);
    expect(fresh.count).toBe(101);
    expect(report.problem).toMatch(/not full/);
  });

  test("chunks of another network are all set aside; the chain starts from genesis", async () => {
    const { store } = await savedStore();
    const { chain, report } = await reload(store, NETWORKS.testnet3);
    expect(chain.count).toBe(1);
    expect(chain.tipHeight).toBe(0);
    expect(report.setAside.length).toBe(3);
    expect(await store.list(headerChunkKey(0).slice(0, 8))).toEqual(
      [0, 1, 2].map((n) => `${headerChunkKey(n)}.corrupt-${STAMP}`),
    );
  });
});
