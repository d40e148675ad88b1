/**
 * SHA-256 and double SHA-256 per-call cost by input size: node:crypto's
 * `hash()` (digest as a Buffer, or as a latin1 or hex string as the Node and
 * Deno adapters read it) against the plain TypeScript hasher
 * (adapters/shared/sha256_small.ts), and platform.sha256 (the adapter's
 * choice). Picks the thresholds in adapters/shared/hybrid_sha256.ts: the
 * native call costs a fixed ~0.3–1 µs plus little per byte, the TypeScript
 * one ~0.13 µs per 64-byte block plus its result allocation.
 *
 * Then the batch (adapters/shared/wasm_sha256.ts): per message, 1,000
 * messages of one size hashed by the WebAssembly lanes against the adapter's
 * single-message double hash, which picks `*_BATCH_NATIVE_MIN` in
 * hybrid_sha256.ts; and a merkle level of 1,000 pairs (`double64`).
 *
 * Each cell is the best of several rounds (the hashers take turns, so a busy
 * machine hurts them alike); every hasher is checked against node:crypto first.
 *
 * Run: node_modules/.bin/node bench/sha256.ts
 *      node_modules/.bin/deno run -A bench/sha256.ts
 *      node_modules/.bin/bun bench/sha256.ts
 */
import { platform } from "#platform";
import {
  denoSha256,
  nodeSha256 as nodeHybrid,
  slabSmallSha256,
} from "../adapters/shared/hybrid_sha256.ts";
import { wasmSha256Available, wasmSha256Batch } from "../adapters/shared/wasm_sha256.ts";
import {
  denoNativeSha256Into,
  nativeSha256,
  nodeNativeSha256Into,
} from "../adapters/shared/node_sha256.ts";
import {
  sha256OfDigestInto,
  smallSha256,
  smallSha256dInto,
} from "../adapters/shared/sha256_small.ts";
import type { Sha256, Sha256Batch } from "../src/platform/hash.ts";
import { bytesEqual } from "../src/wire/bytes.ts";
import { sha256d, sha256d64Into, sha256dRanges } from "../src/wire/hash.ts";
import { nodeSha256 } from "../tests/support/vectors.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

/** The parts of Bun's API this bench touches (declared here so deno and node type-check). */
declare const Bun: undefined | {
  SHA256: { hash(data: Uint8Array, into?: Uint8Array): Uint8Array };
};

/** Input sizes measured, bytes. */
const SIZES = [32, 64, 80, 128, 192, 256, 320, 384, 512, 1024];
/** Calls per timed batch. */
const BATCH = 2000;
/** Milliseconds each cell is timed for in each round. */
const CELL_MS = 60;
/** Rounds; each cell reports its best. */
const ROUNDS = 5;

/** A `Sha256` writing through `into` to a fresh array. */
function intoFresh(into: (data: Uint8Array, out: Uint8Array, at: number) => void): Sha256 {
  return (data) => {
    const out = new Uint8Array(32);
    into(data, out, 0);
    return out;
  };
}

/** A double hash: `first` writes the first digest, TypeScript hashes it again. */
function nativeThenSmall(first: (data: Uint8Array, out: Uint8Array, at: number) => void): Sha256 {
  const digest = new Uint8Array(32);
  return intoFresh((data, out, at) => {
    first(data, digest, 0);
    sha256OfDigestInto(digest, out, at);
  });
}

const hashers: [string, Sha256][] = [
  ["node:crypto hash()", nativeSha256],
  ["smallSha256 (TS)", smallSha256],
  ["slabSmallSha256 (TS)", slabSmallSha256],
  ["platform.sha256", platform.sha256],
  ["hash() latin1 digest", intoFresh(nodeNativeSha256Into)],
  ["hash() hex digest", intoFresh(denoNativeSha256Into)],
];
if (typeof Bun !== "undefined") {
  const bun = Bun;
  hashers.push(["Bun.SHA256.hash(d, into)", (d) => bun.SHA256.hash(d, new Uint8Array(32))]);
}

/** Double SHA-256 (each returns SHA-256(SHA-256(data))). */
const doubles: [string, Sha256][] = [
  ["TS both rounds", intoFresh(smallSha256dInto)],
  ["latin1 digest + TS", nativeThenSmall(nodeNativeSha256Into)],
  ["hex digest + TS", nativeThenSmall(denoNativeSha256Into)],
  ["platform.sha256.double", (d) => sha256d(platform.sha256, d)],
];

const inputs = SIZES.map((n) => new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff));

for (
  const [list, reference] of [
    [hashers, nodeSha256],
    [doubles, (d: Uint8Array) => nodeSha256(nodeSha256(d))],
  ] as const
) {
  for (const [name, sha256] of list) {
    for (const data of inputs) {
      if (!bytesEqual(sha256(data), reference(data))) {
        throw new Error(`${name} is wrong on ${data.length} bytes`);
      }
    }
  }
}

let sink = 0;
/** µs per call of `sha256(data)`, timed for about `CELL_MS`. */
function perCall(sha256: Sha256, data: Uint8Array): number {
  let calls = 0;
  const begin = performance.now();
  let now = begin;
  while (now - begin < CELL_MS) {
    for (let i = 0; i < BATCH; i++) sink ^= sha256(data)[0];
    calls += BATCH;
    now = performance.now();
  }
  return (now - begin) * 1000 / calls;
}

/** Best µs per call of each hasher at each size over `ROUNDS` rounds (taking turns). */
function measure(list: [string, Sha256][]): number[][] {
  const best = list.map(() => SIZES.map(() => Infinity));
  for (let round = 0; round < ROUNDS; round++) {
    list.forEach(([, sha256], h) => {
      inputs.forEach((data, s) => {
        best[h][s] = Math.min(best[h][s], perCall(sha256, data));
      });
    });
  }
  return best;
}

function table(
  title: string,
  list: [string, unknown][],
  best: number[][],
  sizes: number[] = SIZES,
): void {
  const header = ["µs / call", ...sizes.map((n) => `${n} B`)];
  const body = list.map(([name], h) => [name, ...best[h].map((us) => us.toFixed(3))]);
  const widths = header.map((c, i) => Math.max(c.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
  console.log(`\n${title} — ${runtime} (best of ${ROUNDS} rounds)`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of body) console.log(line(r));
  console.log("");
}

const best = measure(hashers);
const doubleBest = measure(doubles);
table("SHA-256 per call by input size", hashers, best);
table("Double SHA-256 per call by input size", doubles, doubleBest);
if (sink === -1) console.log(sink); // keeps the results alive

/** The native digest form this runtime's adapter reads (Bun's adapter uses neither). */
const digestForm = runtime.startsWith("deno") ? "hex" : "latin1";
const native = best[hashers.findIndex(([name]) => name.includes(digestForm))];
const nativeDouble = doubleBest[doubles.findIndex(([name]) => name.includes(digestForm))];
const crossovers: [string, number[], number[]][] = [
  ["smallSha256", best[1], native],
  ["slabSmallSha256", best[2], native],
  ["the TS double hash", doubleBest[0], nativeDouble],
];
for (const [name, small, fast] of crossovers) {
  const from = SIZES.find((_, s) => small[s] >= fast[s]);
  console.log(
    from === undefined
      ? `${name} beats the ${digestForm}-digest native path at every size measured`
      : `the ${digestForm}-digest native path is as fast as ${name} from ${from} bytes`,
  );
}
/** Message sizes of the batch table, bytes. */
const BATCH_SIZES = [32, 64, 128, 256, 384, 512, 640, 768, 1024, 2048, 4096];
/** Messages per batch call. */
const BATCH_COUNT = 1000;
/** The adapter's own single-message double hash (Bun has no batch: its native call is cheap). */
const single = runtime.startsWith("deno") ? denoSha256 : nodeHybrid;
const batches: [string, Sha256Batch][] = [
  ["WebAssembly lanes", wasmSha256Batch(Infinity, single.doubleInto!)],
  ["per message (doubleInto)", wasmSha256Batch(0, single.doubleInto!)],
];
/** µs per message of `batch` over BATCH_COUNT messages of `size` bytes, best of ROUNDS. */
function perMessage(batch: Sha256Batch, size: number): number {
  const source = new Uint8Array(size * BATCH_COUNT).map((_, i) => i * 7);
  const ranges = new Uint32Array(6 * BATCH_COUNT);
  for (let i = 0; i < BATCH_COUNT; i++) {
    [ranges[6 * i], ranges[6 * i + 1]] = [size * i, size * (i + 1)];
  }
  const out = new Uint8Array(32 * BATCH_COUNT);
  const reference = new Uint8Array(32 * BATCH_COUNT);
  sha256dRanges(nodeSha256, source, ranges, BATCH_COUNT, reference);
  batch.doubleRanges(source, ranges, BATCH_COUNT, out);
  if (!bytesEqual(out, reference)) throw new Error(`batch is wrong on ${size} bytes`);
  let bestUs = Infinity;
  for (let round = 0; round < ROUNDS * 4; round++) {
    const begin = performance.now();
    batch.doubleRanges(source, ranges, BATCH_COUNT, out);
    bestUs = Math.min(bestUs, (performance.now() - begin) * 1000 / BATCH_COUNT);
  }
  return bestUs;
}
if (wasmSha256Available() && !runtime.startsWith("bun")) {
  const rows = batches.map(([, batch]) => BATCH_SIZES.map((size) => perMessage(batch, size)));
  table(
    `Batch double SHA-256, µs per message (${BATCH_COUNT} a call)`,
    batches,
    rows,
    BATCH_SIZES,
  );
  const from = BATCH_SIZES.find((_, s) => rows[0][s] >= rows[1][s]);
  console.log(
    from === undefined
      ? "the lanes beat the per-message path at every size measured"
      : `the per-message path is as fast as the lanes from ${from} bytes`,
  );
  const pairs = new Uint8Array(64 * BATCH_COUNT).map((_, i) => i * 13);
  const level = new Uint8Array(32 * BATCH_COUNT);
  const pairHashers: [string, Sha256][] = [["double64 (lanes)", platform.sha256], [
    "doubleInto per pair",
    Object.assign((d: Uint8Array) => single(d), { doubleInto: single.doubleInto }),
  ]];
  const levelUs = pairHashers.map(([, sha256]) => {
    let bestUs = Infinity;
    for (let round = 0; round < ROUNDS * 4; round++) {
      const begin = performance.now();
      sha256d64Into(sha256, pairs, level, BATCH_COUNT);
      bestUs = Math.min(bestUs, (performance.now() - begin) * 1000 / BATCH_COUNT);
    }
    return bestUs;
  });
  console.log(
    `merkle level of ${BATCH_COUNT} pairs, µs per pair: ` +
      pairHashers.map(([name], i) => `${name} ${levelUs[i].toFixed(3)}`).join(", "),
  );
}

const platformRow = best[hashers.findIndex(([name]) => name === "platform.sha256")];
printResult("sha256", [
  { name: "sha256: platform.sha256, 64 B call", unit: "µs", value: platformRow[SIZES.indexOf(64)] },
  {
    name: "sha256: platform.sha256, 1024 B call",
    unit: "µs",
    value: platformRow[SIZES.indexOf(1024)],
  },
]);
