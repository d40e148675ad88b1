/**
 * Tor v3 onion names (rend-spec-v3): `base32(pubkey || checksum || version)`
 * + ".onion", where checksum = SHA3-256(".onion checksum" || pubkey ||
 * version)[0:2] and version = 3. The address value is the 32-byte pubkey.
 */
import { decodeBase32, encodeBase32 } from "./base32.ts";
import { DecodeError } from "./errors.ts";
import { sha3_256 } from "./sha3.ts";

/** The only onion service version that can be addressed. */
export const TORV3_VERSION = 3;

/** Bytes behind the base32 part: 32-byte pubkey, 2-byte checksum, 1-byte version. */
const TORV3_TOTAL = 35;
const PUBKEY_SIZE = 32;
const CHECKSUM_PREFIX = new TextEncoder().encode(".onion checksum");

/** The 2-byte Tor v3 checksum of a 32-byte public key. */
export function onionChecksum(pubkey: Uint8Array): Uint8Array {
  const pre = new Uint8Array(CHECKSUM_PREFIX.length + PUBKEY_SIZE + 1);
  pre.set(CHECKSUM_PREFIX);
  pre.set(pubkey, CHECKSUM_PREFIX.length);
  pre[pre.length - 1] = TORV3_VERSION;
  return sha3_256(pre).subarray(0, 2);
}

/** The `.onion` name of a 32-byte Tor v3 public key (lowercase). */
export function encodeOnion(pubkey: Uint8Array): string {
  const all = new Uint8Array(TORV3_TOTAL);
  all.set(pubkey);
  all.set(onionChecksum(pubkey), PUBKEY_SIZE);
  all[TORV3_TOTAL - 1] = TORV3_VERSION;
  return `${encodeBase32(all)}.onion`;
}

/**
 * The 32-byte public key of a Tor v3 `.onion` name. Throws
 * `DecodeError("invalid")` naming the fault: not base32, Tor v2 (no longer
 * supported), wrong length, wrong version byte or checksum mismatch.
 */
export function decodeOnion(text: string): Uint8Array {
  if (!text.endsWith(".onion")) {
    throw new DecodeError("invalid", `${JSON.stringify(text)} does not end in .onion`);
  }
  const b32 = text.slice(0, -".onion".length);
  const raw = decodeBase32(b32);
  if (raw === null) {
    throw new DecodeError("invalid", `${JSON.stringify(text)} is not a base32 .onion name`);
  }
  if (raw.length === 10) {
    throw new DecodeError(
      "invalid",
      `${
        JSON.stringify(text)
      } is a Tor v2 onion name; Tor v2 is no longer supported, use a v3 (56-character) name`,
    );
  }
  if (raw.length !== TORV3_TOTAL) {
    throw new DecodeError(
      "invalid",
      `${JSON.stringify(text)} has ${b32.length} base32 characters; a Tor v3 name has 56`,
    );
  }
  const pubkey = raw.slice(0, PUBKEY_SIZE);
  if (raw[TORV3_TOTAL - 1] !== TORV3_VERSION) {
    throw new DecodeError(
      "invalid",
      `${JSON.stringify(text)} has onion version ${
        raw[TORV3_TOTAL - 1]
      }; expected ${TORV3_VERSION}`,
    );
  }
  const want = onionChecksum(pubkey);
  if (raw[PUBKEY_SIZE] !== want[0] || raw[PUBKEY_SIZE + 1] !== want[1]) {
    throw new DecodeError(
      "invalid",
      `${JSON.stringify(text)} has a bad checksum (mistyped .onion name?)`,
    );
  }
  return pubkey;
}
