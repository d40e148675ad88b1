/**
 * The compact target encoding ("nBits") and block work. A compact value is a
 * base-256 floating-point number: the top byte is the size in bytes, the low
 * 23 bits the mantissa, and bit 23 a sign. Decoding keeps the sign and
 * overflow flags that consensus rejects (Core's SetCompact/GetCompact), and
 * all arithmetic is on bigint, so targets and work are exact.
 */

/** 2^256: one more than the largest 256-bit number. */
const TWO_256 = 1n << 256n;
/** Mask that keeps a bigint within 256 bits, like Core's fixed-width arith_uint256. */
const MASK_256 = TWO_256 - 1n;
/** The sign bit inside the mantissa. */
const SIGN_BIT = 0x00800000;
/** The 23 mantissa bits. */
const MANTISSA_MASK = 0x007fffff;

/** A decoded compact value. */
export interface CompactTarget {
  /** The 256-bit value (wrapped modulo 2^256 when `overflow`, as Core's fixed width does). */
  readonly target: bigint;
  /** The sign bit was set on a non-zero mantissa. */
  readonly negative: boolean;
  /** The value does not fit in 256 bits. */
  readonly overflow: boolean;
}

/** Decodes a compact value (SetCompact), reporting the sign and overflow flags. */
export function decodeCompact(bits: number): CompactTarget {
  const size = bits >>> 24;
  let word = bits & MANTISSA_MASK;
  let target: bigint;
  if (size <= 3) {
    word >>>= 8 * (3 - size);
    target = BigInt(word);
  } else {
    target = (BigInt(word) << BigInt(8 * (size - 3))) & MASK_256;
  }
  const negative = word !== 0 && (bits & SIGN_BIT) !== 0;
  const overflow = word !== 0 &&
    (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32));
  return { target, negative, overflow };
}

/** Number of significant bytes of a non-negative bigint. */
function byteLength(n: bigint): number {
  let bytes = 0;
  while (n > 0n) {
    n >>= 8n;
    bytes++;
  }
  return bytes;
}

/**
 * Encodes `target` (0 ≤ target < 2^256) as a compact value (GetCompact): the
 * mantissa is truncated to 3 bytes, and never has bit 23 set for a positive
 * value (the size grows by one instead). `negative` sets the sign bit when
 * the mantissa is non-zero.
 */
export function encodeCompact(target: bigint, negative = false): number {
  if (target < 0n || target > MASK_256) {
    throw new RangeError(`compact encoding needs 0 ≤ target < 2^256, got ${target}`);
  }
  let size = byteLength(target);
  let compact = size <= 3
    ? Number(target << BigInt(8 * (3 - size)))
    : Number(target >> BigInt(8 * (size - 3)));
  if ((compact & SIGN_BIT) !== 0) {
    compact >>>= 8;
    size++;
  }
  compact |= size << 24;
  if (negative && (compact & MANTISSA_MASK) !== 0) compact |= SIGN_BIT;
  return compact >>> 0;
}

/**
 * The target of `bits`, or null when consensus cannot use it (negative,
 * overflowing or zero). It is not checked against a network's limit.
 */
export function bitsToTarget(bits: number): bigint | null {
  const { target, negative, overflow } = decodeCompact(bits);
  return negative || overflow || target === 0n ? null : target;
}

/**
 * Expected number of hashes to find a block at `bits`: 2^256 / (target + 1)
 * (Core's GetBlockProof); 0 for a target consensus cannot use.
 */
export function work(bits: number): bigint {
  const target = bitsToTarget(bits);
  return target === null ? 0n : TWO_256 / (target + 1n);
}
