/**
 * The Node and Deno SHA-256: the TypeScript hasher (sha256_small.ts) for
 * short inputs, where node:crypto's fixed per-call cost dominates, and
 * node:crypto's `hash()` above a per-runtime threshold. Most of Bitcoin's
 * hashing is short: the second round of every sha256d hashes 32 bytes, merkle
 * pairs 64, headers 80, and a typical transaction is 200–400 bytes.
 *
 * The thresholds sit on block boundaries: an input of n bytes takes
 * floor((n + 8) / 64) + 1 compressions, so 183 bytes is the longest that
 * fits 3 and 375 the longest that fits 6.
 *
 * Measured with bench/sha256.ts (µs per call, best of 5, 2-core machine):
 *
 *   node 24.11            32 B   64 B  128 B  192 B  256 B  320 B  384 B  512 B
 *   node:crypto hash()    0.66   0.68   0.71   0.75   0.78   0.81   0.84   0.90
 *   smallSha256           0.22   0.39   0.55   0.70   0.85   1.00   1.15   1.46
 *
 *   deno 2.5.6            32 B   64 B  128 B  192 B  256 B  320 B  384 B  512 B
 *   node:crypto hash()    0.98   1.00   0.97   0.99   1.04   1.12   1.14   1.21
 *   smallSha256           0.48   0.62   0.78   0.93   1.07   1.21   1.37   1.65
 *   slabSmallSha256       0.25   0.34   0.49   0.64   0.78   0.93   1.08   1.38
 *
 * Block 413567 (1 MB, 6,240 hashes; 3,120 of 32 bytes, 1,563 of 64, 849 of
 * 225–226) parses in ~3.4 ms on either runtime with these thresholds, against
 * ~5.0 ms (node) and ~7.5 ms (deno) with node:crypto alone.
 */
import type { Sha256 } from "../../src/platform/hash.ts";
import { nativeSha256 } from "./node_sha256.ts";
import { smallSha256, smallSha256Into } from "./sha256_small.ts";

/**
 * Longest input Node hashes in TypeScript: 3 compressions. Through 3 the
 * TypeScript hasher clearly wins (0.55 vs 0.71 µs at 128 bytes); at 4 it ties
 * (0.70–0.76 vs 0.75 µs at 192 bytes); from 5 node:crypto wins.
 */
export const NODE_SMALL_SHA256_MAX = 183;

/**
 * Longest input Deno hashes in TypeScript: 6 compressions. Deno's
 * node:crypto call costs ~1 µs, so the TypeScript hasher (with slab results)
 * wins through 6 (0.93 vs 1.12 µs at 320 bytes), ties at 7 (1.08–1.15 vs 1.13
 * µs at 384 bytes) and loses from 8.
 */
export const DENO_SMALL_SHA256_MAX = 375;

/**
 * Results carved from one slab by `slabSmallSha256`: one 2 KB allocation per
 * 64 hashes. A result kept alive keeps its slab alive, so a caller that kept
 * one hash in 64 would hold 2 KB for each.
 */
const SLAB_RESULTS = 64;
let slab = new Uint8Array(0);
let slabUsed = 0;

/**
 * `smallSha256` whose results are 32-byte views into a shared slab rather
 * than arrays of their own. For Deno, whose V8 keeps every typed array's
 * bytes off the heap: there `new Uint8Array(32)` costs ~0.3 µs with its
 * garbage collection, more than hashing a 32-byte input, while a view costs
 * ~0.02 µs. (Node allocates small typed arrays on the heap, so it gains
 * nothing here and uses `smallSha256`.) Each result is a distinct 32-byte
 * range no other call writes, but its `buffer` is shared: read it through
 * `byteOffset`, and never transfer or detach it.
 */
export const slabSmallSha256: Sha256 = (data) => {
  if (slabUsed === slab.length) {
    slab = new Uint8Array(32 * SLAB_RESULTS);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed = at + 32;
  smallSha256Into(data, slab, at);
  return slab.subarray(at, at + 32);
};

/** Node's SHA-256: TypeScript up to `NODE_SMALL_SHA256_MAX` bytes, node:crypto above. */
export const nodeSha256: Sha256 = (data) =>
  data.length <= NODE_SMALL_SHA256_MAX ? smallSha256(data) : nativeSha256(data);

/** Deno's SHA-256: TypeScript (slab results) up to `DENO_SMALL_SHA256_MAX` bytes, node:crypto above. */
export const denoSha256: Sha256 = (data) =>
  data.length <= DENO_SMALL_SHA256_MAX ? slabSmallSha256(data) : nativeSha256(data);
