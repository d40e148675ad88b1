/**
 * SHA-256 per-call cost by input size: the native hasher against the plain
 * TypeScript one (adapters/shared/sha256_small.ts), and platform.sha256 (the
 * adapter's choice). Picks the thresholds in adapters/shared/hybrid_sha256.ts:
 * the native call costs a fixed ~0.6–1 µs plus little per byte, the
 * TypeScript one ~0.13 µs per 64-byte block plus its result allocation.
 *
 * Each cell is the best of several rounds (the hashers take turns, so a busy
 * machine hurts them alike); every hasher is checked against node:crypto first.
 *
 * Run: node_modules/.bin/node bench/sha256.ts
 *      node_modules/.bin/deno run -A bench/sha256.ts
 *      node_modules/.bin/bun bench/sha256.ts
 */
import { platform } from "#platform";
import { slabSmallSha256 } from "../adapters/shared/hybrid_sha256.ts";
import { nativeSha256 } from "../adapters/shared/node_sha256.ts";
import { smallSha256 } from "../adapters/shared/sha256_small.ts";
import type { Sha256 } from "../src/platform/hash.ts";
import { bytesEqual } from "../src/wire/bytes.ts";
import { nodeSha256 } from "../tests/support/vectors.ts";
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

const hashers: [string, Sha256][] = [
  ["node:crypto hash()", nativeSha256],
  ["smallSha256 (TS)", smallSha256],
  ["slabSmallSha256 (TS)", slabSmallSha256],
  ["platform.sha256", platform.sha256],
];
if (typeof Bun !== "undefined") {
  const bun = Bun;
  hashers.push(["Bun.SHA256.hash(d, into)", (d) => bun.SHA256.hash(d, new Uint8Array(32))]);
}

const inputs = SIZES.map((n) => new Uint8Array(n).map((_, i) => (i * 31 + n) & 0xff));

for (const [name, sha256] of hashers) {
  for (const data of inputs) {
    if (!bytesEqual(sha256(data), nodeSha256(data))) {
      throw new Error(`${name} is wrong on ${data.length} bytes`);
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

const best = hashers.map(() => SIZES.map(() => Infinity));
for (let round = 0; round < ROUNDS; round++) {
  hashers.forEach(([, sha256], h) => {
    inputs.forEach((data, s) => {
      best[h][s] = Math.min(best[h][s], perCall(sha256, data));
    });
  });
}
if (sink === -1) console.log(sink); // keeps the results alive

const header = ["µs / call", ...SIZES.map((n) => `${n} B`)];
const body = hashers.map(([name], h) => [name, ...best[h].map((us) => us.toFixed(3))]);
const widths = header.map((c, i) => Math.max(c.length, ...body.map((r) => r[i].length)));
const line = (cells: string[]) =>
  cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
console.log(`\nSHA-256 per call by input size — ${runtime} (best of ${ROUNDS} rounds)`);
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of body) console.log(line(r));
console.log("");

for (const h of [1, 2]) {
  const from = SIZES.find((_, s) => best[h][s] >= best[0][s]);
  console.log(
    from === undefined
      ? `${hashers[h][0]} beats node:crypto hash() at every size measured`
      : `node:crypto hash() is as fast as ${hashers[h][0]} from ${from} bytes`,
  );
}
