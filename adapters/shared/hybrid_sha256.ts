/**
 * The Node and Deno SHA-256: the TypeScript hasher (sha256_small.ts) for
 * short inputs, where node:crypto's fixed per-call cost dominates, and
 * node:crypto's `hash()` above a per-runtime threshold, with its digest read
 * from a string rather than a Buffer (node_sha256.ts: half the cost). Most of
 * Bitcoin's hashing is short and double: merkle pairs are 64 bytes, headers
 * 80, a typical transaction 200–500, and the second round of every sha256d
 * hashes 32, so both a SHA-256 and a double SHA-256 are provided, each with
 * its own threshold. Both also carry a batch (wasm_sha256.ts) for blocks:
 * merkle levels and short transactions in WebAssembly lanes.
 *
 * The thresholds sit on block boundaries: an input of n bytes takes
 * floor((n + 8) / 64) + 1 compressions, so 55 bytes is the longest that fits
 * 1, 119 the longest that fits 2, 183 3 and 311 5. Measured (µs per call,
 * best of 3, 2-core machine; "native" is node:crypto through the string, and
 * the double hash's second round is TypeScript either way: one compression,
 * with no digest array in between):
 *
 *   node 24.11               32 B   64 B  119 B  183 B  247 B  311 B  375 B  503 B
 *   SHA-256, TypeScript      0.26   0.36   0.48   0.64   0.81   0.98   1.19   1.41
 *   SHA-256, native          0.26   0.29   0.28   0.32   0.34   0.38   0.41   0.47
 *   sha256d, TypeScript      0.39   0.49   0.47   0.83   0.99   1.16   1.33   1.61
 *   sha256d, native + TS     0.58   0.59   0.59   0.63   0.67   0.70   0.74   0.80
 *
 *   deno 2.5.6 (slab results)
 *   SHA-256, TypeScript      0.17   0.32   0.34   0.48   0.64   0.78   0.93   1.25
 *   SHA-256, native          0.62   0.59   0.60   0.59   0.63   0.72   0.73   0.79
 *   sha256d, TypeScript      0.29   0.44   0.46   0.61   0.76   0.91   1.07   1.34
 *   sha256d, native + TS     0.84   0.83   0.82   0.86   1.01   1.06   1.10   1.10
 *
 * (The Buffer-returning call costs ~0.63–0.83 µs on Node and ~1.0–1.2 µs on
 * Deno over the same range.)
 */
import type { Sha256, Sha256dInto } from "../../src/platform/hash.ts";
import { denoNativeSha256Into, nodeNativeSha256Into } from "./node_sha256.ts";
import { wasmSha256Batch } from "./wasm_sha256.ts";
import {
  sha256OfDigestInto,
  smallSha256,
  smallSha256dInto,
  smallSha256Into,
} from "./sha256_small.ts";

/** Longest input Node hashes in TypeScript: 1 compression (a tie; native wins from 2). */
export const NODE_SMALL_SHA256_MAX = 55;
/** Longest input Node double-hashes in TypeScript: 2 compressions, then 1 (ties at 3, loses from 4). */
export const NODE_SMALL_SHA256D_MAX = 119;
/** Longest input Deno hashes in TypeScript: 3 compressions (ties at 4, loses from 5). */
export const DENO_SMALL_SHA256_MAX = 183;
/** Longest input Deno double-hashes in TypeScript: 5 compressions, then 1 (ties at 6–7). */
export const DENO_SMALL_SHA256D_MAX = 311;
/**
 * Shortest message Node's batch double-hashes natively rather than in
 * WebAssembly lanes (wasm_sha256.ts): a lane costs ~0.08 µs per 64-byte
 * block, the native path ~0.03 µs per block after its ~0.5 µs per call
 * (both rounds). They tied at ~640 bytes when a lane cost ~0.09 µs; now at
 * ~850 (bench/sha256.ts, "Batch"), up to ~5% apart between: not re-measured
 * on the relay, so unchanged.
 */
export const NODE_BATCH_NATIVE_MIN = 640;
/** The same for Deno, whose native call costs ~0.85 µs: they tie at ~1 KB. */
export const DENO_BATCH_NATIVE_MIN = 1024;

/**
 * Results carved from one slab by `slabSmallSha256`: one 2 KB allocation per
 * 64 hashes. A result kept alive keeps its slab alive, so a caller that kept
 * one hash in 64 would hold 2 KB for each.
 */
const SLAB_RESULTS = 64;
let slab = new Uint8Array(0);
let slabUsed = 0;

/** Reserves the next 32 bytes of `slab` (a new slab when it is used up); returns their offset. */
function takeSlabSlot(): number {
  if (slabUsed === slab.length) {
    slab = new Uint8Array(32 * SLAB_RESULTS);
    slabUsed = 0;
  }
  const at = slabUsed;
  slabUsed = at + 32;
  return at;
}

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
  const at = takeSlabSlot();
  smallSha256Into(data, slab, at);
  return slab.subarray(at, at + 32);
};

/** The first digest of a native double hash (rewritten by the next call). */
const firstDigest = new Uint8Array(32);

/**
 * A double SHA-256: inputs up to `smallMax` bytes in TypeScript alone (both
 * rounds, no digest in memory between them), longer ones natively for the
 * first round and in TypeScript for the second. `out` may overlap `data`.
 */
function hybridSha256dInto(
  smallMax: number,
  nativeInto: (data: Uint8Array, out: Uint8Array, at: number) => void,
): Sha256dInto {
  return (data, out, at) => {
    if (data.length <= smallMax) {
      smallSha256dInto(data, out, at);
    } else {
      nativeInto(data, firstDigest, 0);
      sha256OfDigestInto(firstDigest, out, at);
    }
  };
}

const nodeSha256dInto = hybridSha256dInto(NODE_SMALL_SHA256D_MAX, nodeNativeSha256Into);
const denoSha256dInto = hybridSha256dInto(DENO_SMALL_SHA256D_MAX, denoNativeSha256Into);

/**
 * Node's SHA-256 and double SHA-256 (see the thresholds above). Results are
 * fresh arrays: Node allocates small typed arrays on its heap, cheaply.
 */
export const nodeSha256: Sha256 = Object.assign(
  (data: Uint8Array) => {
    if (data.length <= NODE_SMALL_SHA256_MAX) return smallSha256(data);
    const out = new Uint8Array(32);
    nodeNativeSha256Into(data, out, 0);
    return out;
  },
  {
    double: (data: Uint8Array) => {
      const out = new Uint8Array(32);
      nodeSha256dInto(data, out, 0);
      return out;
    },
    doubleInto: nodeSha256dInto,
    batch: wasmSha256Batch(NODE_BATCH_NATIVE_MIN, nodeSha256dInto),
  },
);

/** Deno's SHA-256 and double SHA-256 (see the thresholds above), results carved from the slab. */
export const denoSha256: Sha256 = Object.assign(
  (data: Uint8Array) => {
    if (data.length <= DENO_SMALL_SHA256_MAX) return slabSmallSha256(data);
    const at = takeSlabSlot();
    denoNativeSha256Into(data, slab, at);
    return slab.subarray(at, at + 32);
  },
  {
    double: (data: Uint8Array) => {
      const at = takeSlabSlot();
      denoSha256dInto(data, slab, at);
      return slab.subarray(at, at + 32);
    },
    doubleInto: denoSha256dInto,
    batch: wasmSha256Batch(DENO_BATCH_NATIVE_MIN, denoSha256dInto),
  },
);
