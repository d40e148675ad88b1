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
 *
 * Run: node_modules/.bin/bun bench/headers.ts [count]
 *      node_modules/.bin/deno run -A --v8-flags=--expose-gc bench/headers.ts [count]
 *      node_modules/.bin/node --expose-gc bench/headers.ts [count]
 */
import { platform } from "#platform";
import process from "node:process";
import { memoryStore } from "../adapters/storage/memory.ts";
import { silentLogger } from "../src/log/logger.ts";
import { HeaderChain } from "../src/sync/header_chain.ts";
import { HeaderPersistence } from "../src/sync/header_persist.ts";
import { sha256d } from "../src/wire/hash.ts";
import { NETWORKS } from "../src/wire/params.ts";
import { fromHex, hexToHash } from "../src/wire/bytes.ts";
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
const newChain = () => new HeaderChain({ params, sha256, now: () => far });

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
printResult("headers", [
  {
    name: `headers: accept (${COUNT.toLocaleString("en")} regtest headers)`,
    unit: "/s",
    value: COUNT / acceptMs * 1000,
  },
  { name: "headers: heap + external per header, after GC", unit: "B", value: measured },
  { name: "headers: load + re-validate all", unit: "ms", value: loadMs },
]);
