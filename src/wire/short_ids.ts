/**
 * BIP152 short transaction ids: the SipHash-2-4 key a compact block's header
 * and nonce select, and the 6-byte ids of 32-byte transaction hashes under
 * it (wtxids in version 2, the only version Core still speaks; txids in
 * version 1). The ids of a block are hashed in WebAssembly
 * (./siphash_wasm.ts), in TypeScript where that is unavailable.
 */
import type { Sha256 } from "../platform/hash.ts";
import { BLOCK_HEADER_SIZE } from "./block_header.ts";
import { sipHash24Into, type SipKey, sipKey } from "./siphash.ts";
import { sipHash32Many } from "./siphash_wasm.ts";

/** Bytes of a short id: the low 48 bits of the SipHash, little-endian. Core SHORTTXIDS_LENGTH. */
export const SHORT_ID_SIZE = 6;
/** Bytes of a transaction hash. */
const HASH_SIZE = 32;
/** Bytes of the nonce after the header in the key preimage. */
const NONCE_SIZE = 8;

/**
 * The short-id key of a compact block: the first 16 bytes of the single
 * SHA-256 of its 80-byte serialized `header` followed by `nonce` (u64 LE).
 */
export function shortIdKey(sha256: Sha256, header: Uint8Array, nonce: bigint): SipKey {
  if (header.length !== BLOCK_HEADER_SIZE) {
    throw new RangeError(`a short-id key needs an 80-byte header, got ${header.length} bytes`);
  }
  const preimage = new Uint8Array(BLOCK_HEADER_SIZE + NONCE_SIZE);
  preimage.set(header);
  new DataView(preimage.buffer).setBigUint64(BLOCK_HEADER_SIZE, nonce, true);
  return sipKey(sha256(preimage));
}

/**
 * The short ids of the 32-byte hashes stored back to back in `hashes` (wire
 * order, as `blockWtxids` lays them out), back to back in a new array of
 * 6 bytes each.
 */
export function shortIds(key: SipKey, hashes: Uint8Array): Uint8Array {
  if (hashes.length % HASH_SIZE !== 0) {
    throw new RangeError(`short ids: ${hashes.length} bytes are not a whole number of hashes`);
  }
  const out = new Uint8Array((hashes.length / HASH_SIZE) * SHORT_ID_SIZE);
  if (!sipHash32Many(key, hashes, out, SHORT_ID_SIZE)) writeShortIds(key, hashes, out);
  return out;
}

/**
 * The TypeScript path of `shortIds` (its fallback without WebAssembly):
 * writes the short id of each hash in `hashes` to `out`, 6 bytes each.
 */
export function writeShortIds(key: SipKey, hashes: Uint8Array, out: Uint8Array): void {
  const count = Math.floor(hashes.length / HASH_SIZE);
  for (let i = 0; i < count; i++) {
    const at = i * HASH_SIZE;
    sipHash24Into(key, hashes, at, at + HASH_SIZE, out, i * SHORT_ID_SIZE, SHORT_ID_SIZE);
  }
}
