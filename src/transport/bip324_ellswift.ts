/**
 * ElligatorSwift (BIP324): the 64-byte encoding of a secp256k1 public key
 * that is indistinguishable from random bytes, so a v2 handshake looks like
 * noise from its first byte. Every 64-byte string decodes to some x
 * coordinate, and a key has about 2^256 encodings; a new encoding draws u at
 * random and solves for t (XSwiftECInv, one of 8 cases also drawn at random).
 *
 * The field arithmetic of XSwiftEC and XSwiftECInv comes from
 * @scure/btc-signer's `elligatorSwift` (on @noble/curves), pinned exactly
 * and checked against every row of BIP324's vectors: it is the maintained
 * library that exports ElligatorSwift (@noble/curves itself does not). Its
 * own `encode` draws from a fixed source, so encoding here runs the BIP's
 * loop over its inverse (`_inv`) with the injected randomness instead.
 */
import { bytesToNumberBE, numberToBytesBE } from "@noble/curves/utils.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { elligatorSwift } from "@scure/btc-signer/p2p.js";
import type { Random } from "../platform/random.ts";

/** Bytes of an ElligatorSwift encoding (u then t, 32 bytes each, big-endian). */
export const ELLSWIFT_SIZE = 64;
/** Bytes of a field element (an x coordinate, u or t). */
const FIELD_SIZE = 32;
/** XSwiftECInv's cases: 0–7. */
const INVERSE_CASES = 8;
/**
 * Draws of (u, case) before encoding gives up. A draw succeeds with
 * probability about 1/4 (BIP324), so 256 draws all fail with probability
 * (3/4)^256 < 2^-106: only a broken random source reaches it.
 */
const MAX_ENCODE_DRAWS = 256;

/** The field's prime p. */
const P = secp256k1.Point.Fp.ORDER;

/**
 * A new ElligatorSwift encoding of the point with x coordinate `x` (32 bytes,
 * big-endian), drawn from `random`. `x` must be a curve point's (a public
 * key's): for another value the result decodes to some other x. Throws a
 * `RangeError` for a malformed `x`, or when `random` fails `MAX_ENCODE_DRAWS` times.
 */
export function ellswiftEncode(x: Uint8Array, random: Random): Uint8Array {
  const xValue = fieldElement(x, "x");
  for (let draw = 0; draw < MAX_ENCODE_DRAWS; draw++) {
    // One call per draw: u from 32 bytes, the case from the low bits of one more.
    const bytes = random.bytes(FIELD_SIZE + 1);
    const u = bytesToNumberBE(bytes.subarray(0, FIELD_SIZE)) % P;
    if (u === 0n) continue; // decodes as u = 1: would not give back x
    const t = xswiftecInvValue(xValue, u, bytes[FIELD_SIZE] & (INVERSE_CASES - 1));
    if (t === undefined || t === 0n) continue; // no preimage in this case (t = 0 decodes as 1)
    const out = new Uint8Array(ELLSWIFT_SIZE);
    out.set(numberToBytesBE(u, FIELD_SIZE), 0);
    out.set(numberToBytesBE(t, FIELD_SIZE), FIELD_SIZE);
    return out;
  }
  throw new RangeError(`no ElligatorSwift encoding in ${MAX_ENCODE_DRAWS} draws`);
}

/**
 * The x coordinate (32 bytes, big-endian) that a 64-byte ElligatorSwift
 * encoding stands for (XSwiftEC). Any 64 bytes decode; a wrong length throws
 * a `RangeError`.
 */
export function ellswiftDecode(encoding: Uint8Array): Uint8Array {
  if (encoding.length !== ELLSWIFT_SIZE) {
    throw new RangeError(`an ElligatorSwift encoding is 64 bytes, got ${encoding.length}`);
  }
  return elligatorSwift.decode(encoding);
}

/**
 * XSwiftECInv: the t (32 bytes) for which (u, t) decodes to `x` in case `c`
 * (0–7), or null when that case has none. `u` and `x` are field elements
 * (32 bytes, big-endian, below p; `x` on the curve).
 */
export function xswiftecInv(u: Uint8Array, x: Uint8Array, c: number): Uint8Array | null {
  if (!Number.isInteger(c) || c < 0 || c >= INVERSE_CASES) {
    throw new RangeError(`XSwiftECInv case must be 0-7, got ${c}`);
  }
  const t = xswiftecInvValue(fieldElement(x, "x"), fieldElement(u, "u"), c);
  return t === undefined ? null : numberToBytesBE(t, FIELD_SIZE);
}

/** The library's XSwiftECInv on field elements; undefined when case `c` has no t. */
function xswiftecInvValue(x: bigint, u: bigint, c: number): bigint | undefined {
  return elligatorSwift._inv(x, u, c) ?? undefined;
}

/** `bytes` as a field element; a `RangeError` unless 32 bytes below p. */
function fieldElement(bytes: Uint8Array, name: string): bigint {
  if (bytes.length !== FIELD_SIZE) {
    throw new RangeError(`${name} must be 32 bytes, got ${bytes.length}`);
  }
  const value = bytesToNumberBE(bytes);
  if (value >= P) throw new RangeError(`${name} is not below the field prime`);
  return value;
}
