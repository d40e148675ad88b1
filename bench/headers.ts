/**
 * Header chain benchmark: memory per header and throughput with N synthetic
 * regtest headers (default 1,000,000; pass another count as the argument).
 *
 * 1. Mines N headers on regtest (easy proof of work, +1 s each) into one
 *    buffer — outside the measured part.
 * 2. Accepts them into a fresh `HeaderChain` (full validation: hash, PoW,
 *    difficulty, median time, future limit, work) → headers/s.
 * 3. Memory: the index's own array bytes / header (structural, exact), and
 *    the process's heap + external growth and RSS growth / header after GC
 *    (measured; runtimes account differently, see the printed figures).
 * 4. Lookups by hash, locator, getheaders.
 * 5. Persistence: save to an in-memory KvStore, load into a fresh chain
 *    (re-validating everything) → the cost of a restart.
 * 6. Sync through the header intake, 2,000-header `headers` messages
 *    decoded as they would arrive, answering the intake's own `getheaders`:
 *    straight (no work threshold), then with the minimum chain work set to
 *    the chain's whole work, so every header goes through presync and
 *    redownload (Core's parameters for mainnet: one bit per 641 headers, a
 *    15,218-header buffer) → headers/s of each, the ratio, and the bytes the
 *    presync held for the peer at its peak (structural, exact).
 *
 * Run: node_modules/.bin/bun bench/headers.ts [count]
 *      node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/headers.ts [count]
 *      node_modules/.bin/node --expose-gc bench/headers.ts [count]
 */
import { platform } from "#platform";
import process from "node:process";
import { memoryStore } from "../adapters/storage/memory.ts";
import { KnownInventory } from "../src/peer/known_inventory.ts";
import { silentLogger } from "../src/log/logger.ts";
import { cryptoRandom } from "../src/platform/random.ts";
import { systemClock } from "../src/platform/system_clock.ts";
import { HeaderChain } from "../src/sync/header_chain.ts";
import { HeaderIntake, type HeaderPeer } from "../src/sync/header_intake.ts";
import { HeaderPersistence } from "../src/sync/header_persist.ts";
import { HeaderRequests } from "../src/sync/header_requests.ts";
import type { SyncPeer } from "../src/sync/sync_peer.ts";
import { decodeBlockHeader } from "../src/wire/block_header.ts";
import { sha256d } from "../src/wire/hash.ts";
import type { Message } from "../src/wire/message.ts";
import { MAX_HEADERS } from "../src/wire/messages/headers.ts";
import { type NetworkParams, NETWORKS } from "../src/wire/params.ts";
import { bytesEqual, fromHex, hexToHash } from "../src/wire/bytes.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

/** The parts of the runtimes' globals this bench touches. */
declare const Bun: undefined | { gc(force: boolean): void };

const COUNT = Number(process.argv[2] ?? "") || 1_000_000;
/** Lookups timed in step 4. */
const LOOKUPS = 200_000;
const params = NETWORKS.regtest;
const sha256 = platform.sha256;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof Bun !== "undefined") Bun.gc(true);
  else if (gc) gc();
}

/**
 * Memory after a collection: JS heap plus external memory (where all three
 * runtimes count ArrayBuffer backing stores), and the resident set size.
 */
function used(): { heapAndExternal: number; rss: number } {
  collect();
  const m = process.memoryUsage();
  return { heapAndExternal: m.heapUsed + m.external, rss: m.rss };
}

/** Mines `n` regtest headers on genesis, back to back in one buffer. */
function mine(n: number): Uint8Array {
  const genesis = fromHex(params.genesisBlockHex).subarray(0, 80);
  const out = new Uint8Array(n * 80);
  const view = new DataView(out.buffer);
  let prev = hexToHash(params.genesisHash);
  let time = new DataView(genesis.buffer, genesis.byteOffset).getUint32(68, true);
  for (let i = 0; i < n; i++) {
    const at = i * 80;
    view.setInt32(at, 4, true);
    out.set(prev, at + 4);
    view.setUint32(at + 36, i, true); // a distinct merkle root
    view.setUint32(at + 68, ++time, true);
    view.setUint32(at + 72, params.powLimitBits, true);
    for (let nonce = 0;; nonce++) {
      view.setUint32(at + 76, nonce, true);
      const hash = sha256d(sha256, out.subarray(at, at + 80));
      // Top byte below 0x7f: always under regtest's target 0x7fffff << 232.
      if (hash[31] < 0x7f) {
        prev = hash;
        break;
      }
    }
  }
  return out;
}

const far = Date.UTC(2100, 0, 1);
const newChain = (p: NetworkParams = params) =>
  new HeaderChain({ params: p, sha256, now: () => far });

/**
 * Syncs the first `n` headers of `input` into a fresh chain on `p` through
 * a `HeaderIntake`, one peer answering each `getheaders` with the next
 * 2,000 (from genesis again when the locator starts there: a redownload).
 * Returns the time, the chain, and the most bytes a presync held.
 */
function syncThroughIntake(p: NetworkParams, n: number) {
  const chain = newChain(p);
  const abort = new AbortController();
  const genesis = hexToHash(p.genesisHash);
  let locator: readonly Uint8Array[] = [genesis];
  const peer: SyncPeer = {
    id: 1,
    direction: "outbound",
    known: new KnownInventory(),
    features: { sendHeaders: false },
    negotiatedVersion: 70016,
    remoteVersion: { services: 9n, startHeight: n },
    queuedBytes: 0,
    send(msg: Message) {
      if (msg.command === "getheaders") locator = msg.locator;
      return true;
    },
    misbehave(points: number, reason: string) {
      throw new Error(`the bench peer misbehaved (${points}): ${reason}`);
    },
    disconnect(reason: string) {
      throw new Error(`the bench peer was disconnected: ${reason}`);
    },
    toString: () => "bench peer",
  };
  const st: HeaderPeer = {
    peer,
    headers: new HeaderRequests({
      peer,
      chain,
      clock: systemClock,
      signal: abort.signal,
      timeoutMs: 120_000,
    }),
    bestHeight: -1,
    presync: null,
  };
  const intake = new HeaderIntake({
    chain,
    sha256,
    clock: systemClock,
    logger: silentLogger,
    random: cryptoRandom,
    signal: abort.signal,
    stallTimeoutMs: 120_000,
    headersPerMessage: MAX_HEADERS,
    saveDelayMs: 5_000,
    peers: new Map([[1, st]]),
    onSynced: () => {},
  });
  let next = 0;
  let peakBytes = 0;
  const begin = performance.now();
  intake.peerAdded(st);
  for (let messages = 0; chain.tipHeight < n && messages < 4 * n / MAX_HEADERS + 10; messages++) {
    if (bytesEqual(locator[0], genesis)) next = 0;
    const end = Math.min(n, next + MAX_HEADERS);
    const headers = [];
    for (let i = next; i < end; i++) {
      headers.push(decodeBlockHeader(input.subarray(i * 80, i * 80 + 80)));
    }
    next = end;
    intake.onHeaders(st, headers);
    peakBytes = Math.max(peakBytes, st.presync?.memoryBytes() ?? 0);
  }
  const ms = performance.now() - begin;
  abort.abort();
  if (chain.tipHeight !== n) throw new Error(`synced to ${chain.tipHeight}, expected ${n}`);
  return { ms, chain, peakBytes, belowThreshold: intake.belowThreshold };
}

console.log(`Header chain — ${runtime}, ${COUNT.toLocaleString("en")} synthetic regtest headers`);
let begin = performance.now();
const input = mine(COUNT);
console.log(`  mined in ${((performance.now() - begin) / 1000).toFixed(1)} s (not measured)`);

const before = used();
const chain = newChain();
begin = performance.now();
for (let i = 0; i < COUNT; i++) chain.acceptHeader(input.subarray(i * 80, i * 80 + 80));
const acceptMs = performance.now() - begin;
const after = used();
if (chain.tipHeight !== COUNT) throw new Error(`tip ${chain.tipHeight}, expected ${COUNT}`);

const structural = chain.memoryBytes() / chain.count;
const measured = (after.heapAndExternal - before.heapAndExternal) / chain.count;
const resident = (after.rss - before.rss) / chain.count;
console.log(
  `  accept: ${(acceptMs / 1000).toFixed(2)} s, ${
    (COUNT / acceptMs * 1000).toFixed(0)
  } headers/s, ` +
    `${(acceptMs * 1000 / COUNT).toFixed(2)} µs/header`,
);
console.log(`  memory: ${structural.toFixed(1)} bytes/header in the index's arrays (structural)`);
console.log(
  `          ${measured.toFixed(1)} bytes/header measured (heap + external growth after GC), ` +
    `${resident.toFixed(1)} bytes/header RSS growth`,
);

// Lookups of random stored hashes.
const hashes: Uint8Array[] = [];
for (let i = 0; i < LOOKUPS; i++) {
  const k = Math.floor(Math.random() * COUNT);
  hashes.push(sha256d(sha256, input.subarray(k * 80, k * 80 + 80)));
}
begin = performance.now();
let found = 0;
for (const hash of hashes) if (chain.heightOf(hash) !== undefined) found++;
const lookupMs = performance.now() - begin;
if (found !== LOOKUPS) throw new Error(`found ${found} of ${LOOKUPS}`);
console.log(`  heightOf(hash): ${(lookupMs * 1000 / LOOKUPS).toFixed(3)} µs/lookup`);

begin = performance.now();
const locator = chain.locator();
const answer = chain.getHeaders([hashes[0]], null);
console.log(
  `  locator (${locator.length} hashes) + getheaders (${answer.length}): ` +
    `${(performance.now() - begin).toFixed(2)} ms`,
);

// Persistence: save everything, then a cold load with full re-validation.
const store = memoryStore();
const saver = new HeaderPersistence({
  store,
  chain,
  sha256,
  now: Date.now,
  logger: silentLogger,
});
begin = performance.now();
await saver.save();
const saveMs = performance.now() - begin;
const reloaded = newChain();
const loader = new HeaderPersistence({
  store,
  chain: reloaded,
  sha256,
  now: Date.now,
  logger: silentLogger,
});
begin = performance.now();
const report = await loader.load();
const loadMs = performance.now() - begin;
if (report.loaded !== COUNT || reloaded.tipWork !== chain.tipWork) {
  throw new Error(`reload gave ${report.loaded} headers`);
}
console.log(
  `  save (all ${(await store.list()).length} chunks): ${saveMs.toFixed(0)} ms; ` +
    `load + re-validate: ${(loadMs / 1000).toFixed(2)} s`,
);
// Sync through the intake: straight, then through presync and redownload.
const syncCount = Math.min(COUNT, 900_000);
const presyncParams = {
  ...params,
  minimumChainWork: chain.workOf(params.powLimitBits) * BigInt(syncCount + 1),
  headersSync: NETWORKS.main.headersSync,
};
// Each twice, interleaved, keeping the faster run: the first runs warm the JIT up.
const faster = <T extends { ms: number }>(a: T, b: T) => (a.ms <= b.ms ? a : b);
let straight = syncThroughIntake(params, syncCount);
let presynced = syncThroughIntake(presyncParams, syncCount);
straight = faster(straight, syncThroughIntake(params, syncCount));
presynced = faster(presynced, syncThroughIntake(presyncParams, syncCount));
if (presynced.belowThreshold !== syncCount) {
  throw new Error(`presync saw ${presynced.belowThreshold} headers, expected ${syncCount}`);
}
const rate = (ms: number) => (syncCount / ms * 1000).toFixed(0);
console.log(
  `  sync of ${syncCount.toLocaleString("en")} headers through the intake: straight ` +
    `${(straight.ms / 1000).toFixed(2)} s (${rate(straight.ms)} headers/s); presync + redownload ` +
    `${(presynced.ms / 1000).toFixed(2)} s (${rate(presynced.ms)} headers/s), ` +
    `${(presynced.ms / straight.ms).toFixed(2)}× the straight time`,
);
console.log(
  `  presync memory for the peer, at its peak: ${presynced.peakBytes.toLocaleString("en")} bytes ` +
    `(commitment bits and the redownload buffer at mainnet's parameters)`,
);

printResult("headers", [
  {
    name: `headers: accept (${COUNT.toLocaleString("en")} regtest headers)`,
    unit: "/s",
    value: COUNT / acceptMs * 1000,
  },
  { name: "headers: heap + external per header, after GC", unit: "B", value: measured },
  { name: "headers: load + re-validate all", unit: "ms", value: loadMs },
  {
    name: `headers: sync through the intake, straight (${syncCount.toLocaleString("en")})`,
    unit: "/s",
    value: syncCount / straight.ms * 1000,
  },
  {
    name: `headers: sync through presync + redownload (${syncCount.toLocaleString("en")})`,
    unit: "/s",
    value: syncCount / presynced.ms * 1000,
  },
  { name: "headers: presync time / straight time", unit: "×", value: presynced.ms / straight.ms },
  { name: "headers: presync memory per peer, peak", unit: "B", value: presynced.peakBytes },
]);
