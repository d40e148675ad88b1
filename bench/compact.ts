/**
 * BIP152 compact blocks: building the `cmpctblock` of mainnet blocks 413567
 * (1 MB, 1,557 transactions, no witness) and 574200 (1.2 MB, segwit) from the
 * decoded block, and encoding it: with the wtxids known (as after the
 * witness-commitment check), from the txids (as after the merkle check: the
 * segwit transactions are hashed again), or from the block alone; decoding the payload back; and the
 * short-id hash alone: SipHash-2-4 short ids of 32-byte hashes per second,
 * by the WebAssembly path `shortIds` takes (src/wire/siphash_wasm.ts), its
 * TypeScript fallback on int32 halves (src/wire/siphash.ts), and a plain
 * BigInt version (the alternative both were chosen over). Bytes on the wire
 * of the compact and the full block are printed too.
 *
 * Each figure is the best of several rounds (a busy machine slows all alike).
 *
 * Run: node_modules/.bin/bun bench/compact.ts
 *      node_modules/.bin/deno run -A bench/compact.ts
 *      node_modules/.bin/node bench/compact.ts
 */
import { platform } from "#platform";
import { blockTxids, blockWtxids, decodeBlock } from "../src/wire/block.ts";
import { buildCmpctBlock } from "../src/wire/compact_block.ts";
import { decodeMessage, encodeMessage } from "../src/wire/message.ts";
import { shortIds, writeShortIds } from "../src/wire/short_ids.ts";
import { sipHash24Into, sipKey } from "../src/wire/siphash.ts";
import { vectorBytes } from "../tests/support/vectors.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

/** Rounds per figure; the best one counts. */
const ROUNDS = 5;
/** Milliseconds each round runs for. */
const ROUND_MS = 300;
/** Hashes per short-id batch: the most transactions a block can hold, about. */
const HASHES = 16_000;
/** The nonce (any: it only keys the short ids). */
const NONCE = 0x0102030405060708n;

/** Best milliseconds per call of `fn` over `ROUNDS` rounds of about `ROUND_MS` each. */
function bestMs(fn: () => void): number {
  for (let i = 0; i < 5; i++) fn();
  let best = Infinity;
  for (let round = 0; round < ROUNDS; round++) {
    let calls = 0;
    const begin = performance.now();
    let now = begin;
    while (now - begin < ROUND_MS) {
      fn();
      calls++;
      now = performance.now();
    }
    best = Math.min(best, (now - begin) / calls);
  }
  return best;
}

const MASK64 = (1n << 64n) - 1n;

function rotl(x: bigint, bits: bigint): bigint {
  return ((x << bits) | (x >> (64n - bits))) & MASK64;
}

/** SipHash-2-4 of the 32 bytes at `data[at]` with BigInt words (the comparison only). */
function bigintSipHash32(k0: bigint, k1: bigint, view: DataView, at: number): bigint {
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const rounds = (n: number) => {
    for (let i = 0; i < n; i++) {
      v0 = (v0 + v1) & MASK64;
      v1 = rotl(v1, 13n) ^ v0;
      v0 = rotl(v0, 32n);
      v2 = (v2 + v3) & MASK64;
      v3 = rotl(v3, 16n) ^ v2;
      v0 = (v0 + v3) & MASK64;
      v3 = rotl(v3, 21n) ^ v0;
      v2 = (v2 + v1) & MASK64;
      v1 = rotl(v1, 17n) ^ v2;
      v2 = rotl(v2, 32n);
    }
  };
  for (let w = 0; w <= 4; w++) {
    const m = w < 4 ? view.getBigUint64(at + 8 * w, true) : 32n << 56n;
    v3 ^= m;
    rounds(2);
    v0 ^= m;
  }
  v2 ^= 0xffn;
  rounds(4);
  return v0 ^ v1 ^ v2 ^ v3;
}

console.log(`Compact blocks (BIP152) — ${runtime}, sha256 = platform.sha256 (#platform)`);

const blocks = [
  { name: "413567", bytes: vectorBytes("block-413567.raw") },
  { name: "574200", bytes: vectorBytes("block-574200.raw") },
];
const sha256 = platform.sha256;
const metrics = [];
for (const { name, bytes } of blocks) {
  const block = decodeBlock(bytes);
  const txids = blockTxids(sha256, block);
  const wtxids = blockWtxids(sha256, block, txids);
  const known = bestMs(() => encodeMessage(buildCmpctBlock(sha256, block, NONCE, wtxids)));
  const fromTxids = bestMs(() =>
    encodeMessage(buildCmpctBlock(sha256, block, NONCE, blockWtxids(sha256, block, txids)))
  );
  const fresh = bestMs(() => encodeMessage(buildCmpctBlock(sha256, block, NONCE)));
  const payload = encodeMessage(buildCmpctBlock(sha256, block, NONCE, wtxids)).slice();
  const decode = bestMs(() => decodeMessage("cmpctblock", payload));
  const what = `block ${name} (${block.txCount} txs, ${block.segwitTxCount} segwit)`;
  console.log(
    `${what}: build + encode ${known.toFixed(3)} ms with the wtxids known, ` +
      `${fromTxids.toFixed(3)} ms from the txids, ${fresh.toFixed(3)} ms from the block alone; ` +
      `decode ${decode.toFixed(3)} ms; ${payload.length} bytes for a ${bytes.length}-byte ` +
      `block (${(bytes.length / payload.length).toFixed(0)}× smaller)`,
  );
  const row = (how: string) => `compact: build + encode cmpctblock of ${name}, ${how}`;
  metrics.push(
    { name: row("wtxids known"), unit: "ms", value: known },
    { name: row("from the txids"), unit: "ms", value: fromTxids },
    { name: row("from the block alone"), unit: "ms", value: fresh },
    { name: `compact: decode cmpctblock of ${name}`, unit: "ms", value: decode },
    { name: `compact: cmpctblock of ${name}`, unit: "B", value: payload.length },
  );
}

const hashes = new Uint8Array(HASHES * 32).map((_, i) => Math.imul(i, 0x9e3779b1) >>> 24);
const key = sipKey(new Uint8Array(16).map((_, i) => i));
const perSecond = (ms: number) => HASHES / ms * 1000;
const wasm = perSecond(bestMs(() => shortIds(key, hashes)));
const ids = new Uint8Array(HASHES * 6);
const script = perSecond(bestMs(() => writeShortIds(key, hashes, ids)));
const view = new DataView(hashes.buffer);
let sink = 0n;
const bigint = perSecond(bestMs(() => {
  for (let i = 0; i < HASHES; i++) {
    sink ^= bigintSipHash32(0x0706050403020100n, 0x0f0e0d0c0b0a0908n, view, i * 32);
  }
}));
// The three agree (and the sink stays alive).
const check = new Uint8Array(8);
sipHash24Into(key, hashes, 32, 64, check, 0);
const expected = bigintSipHash32(0x0706050403020100n, 0x0f0e0d0c0b0a0908n, view, 32);
if (
  new DataView(check.buffer).getBigUint64(0, true) !== expected ||
  shortIds(key, hashes).some((b, i) => b !== ids[i]) || sink === -1n
) {
  throw new Error("the SipHash implementations disagree");
}
const rate = (r: number) => `${(r / 1e6).toFixed(2)} M/s (${(1e9 / r).toFixed(0)} ns each)`;
console.log(
  `short ids (SipHash-2-4 of 32 bytes, 6-byte ids): WebAssembly ${rate(wasm)}; ` +
    `TypeScript int32 halves ${rate(script)}; BigInt words ${rate(bigint)}`,
);
metrics.push(
  { name: "compact: short ids, SipHash-2-4 in WebAssembly (shortIds)", unit: "/s", value: wasm },
  {
    name: "compact: short ids, SipHash-2-4 in TypeScript (the fallback)",
    unit: "/s",
    value: script,
  },
  { name: "compact: short ids, SipHash-2-4 on BigInt (not used)", unit: "/s", value: bigint },
);
printResult("compact", metrics);
