/**
 * Address manager benchmark: 1,000,000 gossiped addresses (IPv4 mostly,
 * some IPv6, Tor v3 and I2P) from 2,000 sources in 1,000 batches, then
 * promotions until the tried table is nearly full, refills of the new table,
 * 100,000 selects, and the heap held by a (nearly) full book. Targets:
 * 1,000,000 adds ≤ 3 s, 100,000 selects ≤ 1 s, a full table (81,920
 * entries) ≤ 40 MB of heap.
 *
 * Under node, bcoin 1.0.2's HostList gets the same gossip (IPv4 and IPv6
 * only: it has no Tor v3 or I2P) one `add(addr, src)` at a time, then the
 * same number of `getHost()` selects; note its table holds only 1,000 new
 * entries (20 buckets of 50), so most of its adds meet a full table.
 *
 * Run: node_modules/.bin/bun bench/addrmgr.ts
 *      node_modules/.bin/deno run -A bench/addrmgr.ts
 *      node_modules/.bin/node bench/addrmgr.ts
 */
import { platform } from "#platform";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { AddrManager } from "../src/addrmgr/addr_manager.ts";
import { entryAddress } from "../src/addrmgr/entry.ts";
import type { Clock } from "../src/platform/clock.ts";
import { type Random, seededRandom } from "../src/platform/random.ts";
import type { NetAddress } from "../src/wire/address.ts";
import type { PeerAddress } from "../src/wire/messages/addr.ts";
import { isRoutable } from "../src/wire/routability.ts";
import { loadBcoin } from "./_bcoin.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

declare const Bun: undefined | { version: string; gc(force: boolean): void };
declare const Deno: undefined | { version: { deno: string } };
declare const process: {
  version: string;
  execPath: string;
  argv: string[];
  exitCode: number;
  memoryUsage(): { heapUsed: number };
};

/** Addresses gossiped in total. */
const ADDS = 1_000_000;
/** Addresses per addr message (the protocol maximum). */
const BATCH = 1_000;
/** Distinct gossiping peers (sources), each in its own /16. */
const SOURCES = 2_000;
/** Selections timed. */
const SELECTS = 100_000;
/** Slots in both tables: the "full table" the heap target is about. */
const FULL_TABLE = 81_920;

/** Where `gc` appears when the engine exposes it. */
const g = globalThis as { gc?: () => void };

/**
 * MB of live heap after a full collection. V8 (node, deno): `heapUsed`.
 * Bun: JavaScriptCore's own heap size (`bun:jsc` heapStats), since Bun's
 * `memoryUsage().heapUsed` also counts malloc memory freed but not returned.
 */
async function heapMb(): Promise<number> {
  if (typeof Bun !== "undefined") {
    Bun.gc(true);
    const jsc = "bun:jsc"; // a variable, so deno and node do not try to resolve it
    const { heapStats } = await import(jsc);
    return heapStats().heapSize / 1e6;
  }
  if (g.gc === undefined) {
    setFlagsFromString("--expose-gc");
    g.gc = runInNewContext("gc") as () => void;
  }
  g.gc();
  g.gc();
  return process.memoryUsage().heapUsed / 1e6;
}

/** A routable address: 90% IPv4, 6% IPv6, 2% Tor v3, 2% I2P. */
function randomAddress(r: Random): NetAddress {
  const pick = r.int(100);
  let a: NetAddress;
  do {
    if (pick < 90) a = { network: "ipv4", bytes: r.bytes(4) };
    else if (pick < 96) {
      const bytes = r.bytes(16);
      bytes[0] = 0x20 | (bytes[0] & 0x0f); // 2000::/4, global unicast
      a = { network: "ipv6", bytes };
    } else if (pick < 98) a = { network: "onion", bytes: r.bytes(32) };
    else a = { network: "i2p", bytes: r.bytes(32) };
  } while (!isRoutable(a));
  return a;
}

const NOW_MS = 1_700_000_000_000;
const clock: Clock = {
  now: () => NOW_MS,
  setTimer: () => () => {},
  sleep: () => Promise.resolve(),
};

/** One addr message of `BATCH` fresh random addresses. */
function message(gen: Random, maxAge: number): PeerAddress[] {
  const batch: PeerAddress[] = [];
  for (let i = 0; i < BATCH; i++) {
    batch.push({
      time: NOW_MS / 1000 - gen.int(maxAge),
      services: 1033n,
      addr: randomAddress(gen),
      port: 8333,
    });
  }
  return batch;
}

/** `count` gossiping peers, each in its own /16. */
function makeSources(count: number): NetAddress[] {
  return Array.from({ length: count }, (_, i) => ({
    network: "ipv4" as const,
    bytes: Uint8Array.of(1 + (i % 200), i >> 3, 7, 9),
  }));
}

/**
 * Gossips `ADDS` addresses from `sources` into `book` (1,000 messages of
 * 1,000, timestamps within the last 3 hours). Returns the milliseconds
 * spent in `add` (message generation excluded) and the slots taken.
 */
function gossip(book: AddrManager, sources: NetAddress[], gen: Random) {
  let ms = 0;
  let added = 0;
  for (let m = 0; m < ADDS / BATCH; m++) {
    const batch = message(gen, 3 * 3600);
    const source = sources[gen.int(sources.length)];
    const t0 = performance.now();
    added += book.add(batch, source, 2 * 3600);
    ms += performance.now() - t0;
  }
  return { ms, added };
}

async function main(): Promise<void> {
  const gen = seededRandom(42);
  const sources = makeSources(SOURCES);
  const heapBefore = await heapMb();
  let shaCalls = 0;
  const sha256 = (data: Uint8Array) => {
    shaCalls++;
    return platform.sha256(data);
  };
  const book = new AddrManager({ sha256, clock, random: seededRandom(7) });

  // 1. Gossip.
  const { ms: addMs, added } = gossip(book, sources, gen);
  const afterGossip = book.stats();
  const shaPerAdd = shaCalls / ADDS;

  // 2. Fill the tried table: promote entries of the new table (forced, no collision test),
  //    then top the new table up again with fresh gossip.
  let goodMs = 0;
  let goods = 0;
  const tables = book.tables;
  const order = tables.randomOrder;
  for (let i = 0; i < 400_000 && tables.triedCount < 16_384 * 0.99; i++) {
    const e = order[i % order.length];
    if (e.triedSlot >= 0) continue;
    const addr = entryAddress(e);
    const t0 = performance.now();
    book.good(addr, e.port, false);
    goodMs += performance.now() - t0;
    goods++;
  }
  for (let m = 0; m < 400 && tables.newCount < 65_536 * 0.995; m++) {
    book.add(message(gen, 60), sources[gen.int(SOURCES)], 2 * 3600);
  }
  const full = book.stats();
  const heapFull = await heapMb();

  // 3. Selection with a few outbound peers.
  let picked = 0;
  const t0 = performance.now();
  for (let i = 0; i < SELECTS; i++) if (book.select({ outbound: 4 }) !== undefined) picked++;
  const selectMs = performance.now() - t0;

  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const rows: [string, string, string][] = [
    [
      `adds, ${fmt(SOURCES)} sources`,
      `${fmt(ADDS)} in ${fmt(addMs)} ms`,
      `${fmt(ADDS / (addMs / 1000))} /s (target ≤ 3,000 ms)`,
    ],
    [
      "  entries after gossip",
      `${fmt(afterGossip.total)}`,
      `slots taken ${fmt(added)}; ${shaPerAdd.toFixed(2)} SHA-256 calls per add`,
    ],
    ["good (forced)", `${fmt(goods)} in ${fmt(goodMs)} ms`, `${fmt(goods / (goodMs / 1000))} /s`],
    [
      "selects",
      `${fmt(SELECTS)} in ${fmt(selectMs)} ms`,
      `${fmt(SELECTS / (selectMs / 1000))} /s (target ≤ 1,000 ms)`,
    ],
    [
      "table",
      `${fmt(full.total)} of ${fmt(FULL_TABLE)}`,
      `new ${fmt(full.new)}, tried ${fmt(full.tried)}`,
    ],
    [
      "heap",
      `${(heapFull - heapBefore).toFixed(1)} MB for the book`,
      `${heapFull.toFixed(1)} MB in all; ≈ ${
        (((heapFull - heapBefore) / full.total) * FULL_TABLE).toFixed(1)
      } MB at ${fmt(FULL_TABLE)} (target ≤ 40 MB)`,
    ],
  ];
  console.log(`addrmgr bench — ${runtime}, SHA-256 from the ${platform.name} adapter`);
  for (const [a, b, c] of rows) console.log(`${a.padEnd(24)} ${b.padEnd(30)} ${c}`);
  if (picked !== SELECTS) console.log(`(select found nothing ${SELECTS - picked} times)`);
  const ADD = "addrman: add (1,000,000 gossiped, 1,000 per message)";
  const SELECT = "addrman: select (100,000)";
  const HEAP = "addrman: heap of the full book";
  printResult("addrmgr", [
    { name: ADD, unit: "/s", value: ADDS / (addMs / 1000) },
    { name: SELECT, unit: "/s", value: SELECTS / (selectMs / 1000) },
    { name: HEAP, unit: "MB", value: heapFull - heapBefore },
  ]);
  const b = await bcoinHostList();
  if (b !== null) {
    console.log(
      `bcoin 1.0.2 HostList: ${fmt(b.adds)} adds in ${fmt(b.addMs)} ms (${
        fmt(b.adds / (b.addMs / 1000))
      } /s), ${fmt(b.entries)} entries; ${fmt(SELECTS)} getHost in ${fmt(b.selectMs)} ms (${
        fmt(SELECTS / (b.selectMs / 1000))
      } /s); heap ${b.heap.toFixed(1)} MB`,
    );
    printResult("addrmgr", [
      { name: ADD, unit: "/s", value: b.adds / (b.addMs / 1000) },
      { name: SELECT, unit: "/s", value: SELECTS / (b.selectMs / 1000) },
    ], "bcoin"); // its heap (≤ 1,000 entries) is within the collection noise: printed only
  }
}

/** The same gossip and selects through bcoin's HostList (node only; null when skipped). */
async function bcoinHostList() {
  const bcoin = loadBcoin();
  if (typeof bcoin === "string") {
    console.log(`bcoin comparison skipped: ${bcoin}`);
    return null;
  }
  const HostList = bcoin.lib("./lib/net/hostlist");
  const NetAddress = bcoin.lib("./lib/net/netaddress");
  const host = (a: NetAddress): string | null => {
    if (a.network === "ipv4") return a.bytes.join(".");
    if (a.network !== "ipv6") return null;
    const groups = [];
    for (let i = 0; i < 16; i += 2) groups.push(((a.bytes[i] << 8) | a.bytes[i + 1]).toString(16));
    return groups.join(":");
  };
  const gen = seededRandom(42);
  const sources = makeSources(SOURCES).map((s) => new NetAddress({ host: host(s)!, port: 8333 }));
  const before = await heapMb();
  const book = new HostList({ network: "main", memory: true });
  let addMs = 0;
  let adds = 0;
  for (let m = 0; m < ADDS / BATCH; m++) {
    const batch = [];
    for (const p of message(gen, 3 * 3600)) {
      const h = host(p.addr);
      if (h !== null) {
        batch.push(new NetAddress({ host: h, port: p.port, services: 1033, time: p.time }));
      }
    }
    const source = sources[gen.int(sources.length)];
    const t0 = performance.now();
    for (const addr of batch) book.add(addr, source);
    addMs += performance.now() - t0;
    adds += batch.length;
  }
  const heap = await heapMb() - before;
  const t0 = performance.now();
  for (let i = 0; i < SELECTS; i++) book.getHost();
  const selectMs = performance.now() - t0;
  return { adds, addMs, selectMs, heap, entries: book.size() as number };
}

// Deno exposes `gc` only when started with --v8-flags=--expose-gc: rerun this
// file that way (the bench is meant to be started without flags).
if (typeof Deno !== "undefined" && g.gc === undefined) {
  const { spawnSync } = await import("node:child_process");
  const file = new URL(import.meta.url).pathname;
  const run = spawnSync(process.execPath, ["run", "-A", "--v8-flags=--expose-gc", file], {
    stdio: "inherit",
  });
  process.exitCode = run.status ?? 1;
} else {
  await main();
}
