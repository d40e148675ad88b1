/**
 * Proof of work: a block hash, read as a little-endian 256-bit number, must
 * not exceed the target its own nBits encodes, and that target must be a
 * usable one within the network's limit (Core's CheckProofOfWork).
 */
import { decodeCompact } from "./compact_target.ts";

/** Why a hash fails its proof of work (the five rejections). */
export type PowProblem =
  /** nBits has the sign bit set on a non-zero mantissa. */
  | "negative-target"
  /** nBits encodes a value above 2^256. */
  | "overflow-target"
  /** nBits encodes zero. */
  | "zero-target"
  /** The target is easier than the network's proof-of-work limit. */
  | "target-above-limit"
  /** The hash is above the target. */
  | "hash-above-target";

/** A 32-byte hash in wire order as the number it stands for (little-endian). */
export function hashToBigInt(hash: Uint8Array): bigint {
  if (hash.length !== 32) throw new RangeError(`a hash is 32 bytes, got ${hash.length}`);
  const view = new DataView(hash.buffer, hash.byteOffset, 32);
  return (view.getBigUint64(24, true) << 192n) | (view.getBigUint64(16, true) << 128n) |
    (view.getBigUint64(8, true) << 64n) | view.getBigUint64(0, true);
}

/**
 * What is wrong with `hash` (wire order) as proof of work for `bits` under
 * `powLimit`, or null when it is valid.
 */
export function powProblem(hash: Uint8Array, bits: number, powLimit: bigint): PowProblem | null {
  const { target, negative, overflow } = decodeCompact(bits);
  if (negative) return "negative-target";
  if (overflow) return "overflow-target";
  if (target === 0n) return "zero-target";
  if (target > powLimit) return "target-above-limit";
  if (hashToBigInt(hash) > target) return "hash-above-target";
  return null;
}

/** True when `hash` (wire order) is valid proof of work for `bits` under `powLimit`. */
export function checkProofOfWork(hash: Uint8Array, bits: number, powLimit: bigint): boolean {
  return powProblem(hash, bits, powLimit) === null;
}
