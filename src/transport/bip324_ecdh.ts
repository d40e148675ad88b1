/**
 * The key exchange of a BIP324 handshake: a fresh secp256k1 key, its
 * ElligatorSwift encoding (the 64 bytes each side sends first), and the
 * shared secret: the tagged hash "bip324_ellswift_xonly_ecdh" of the
 * initiator's encoding, the responder's encoding and x(our key · their point)
 * (Core: CKey::ComputeBIP324ECDHSecret). The curve arithmetic goes through
 * the secp256k1 port (native where the runtime has it).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { secp256k1 as nobleCurve } from "@noble/curves/secp256k1.js";
import type { Random } from "../platform/random.ts";
import type { Secp256k1, Secp256k1KeyPair } from "../platform/secp256k1.ts";
import { ELLSWIFT_SIZE, ellswiftDecode, ellswiftEncode } from "./bip324_ellswift.ts";

/** Bytes of a secret key. */
const SECRET_KEY_SIZE = 32;
/**
 * Draws of a secret key before giving up: a draw is out of range (0 or ≥ n)
 * with probability < 2^-127, so only a broken random source fails 16 times.
 */
const MAX_SECRET_DRAWS = 16;
/** The BIP340-style tag of the shared secret's hash. */
const ECDH_TAG = "bip324_ellswift_xonly_ecdh";
/** SHA-256(tag) twice: the prefix of every tagged hash with this tag. */
const TAG_PREFIX = (() => {
  const tag = sha256(new TextEncoder().encode(ECDH_TAG));
  const prefix = new Uint8Array(2 * tag.length);
  prefix.set(tag, 0);
  prefix.set(tag, tag.length);
  return prefix;
})();

/** Our side of one key exchange. */
export interface Bip324Key {
  /** Our 64-byte ElligatorSwift public key, as sent. */
  readonly ellswift: Uint8Array;
  /**
   * The 32-byte shared secret with the peer that sent `theirs` (64 bytes;
   * any bytes decode), where we are (`initiator`) or are not the initiator.
   */
  sharedSecret(theirs: Uint8Array, initiator: boolean): Uint8Array;
}

/**
 * A fresh key for one handshake: the secret and the encoding both drawn from
 * `random` (a cryptographic source outside tests), the curve work done by `curve`.
 */
export function newBip324Key(random: Random, curve: Secp256k1): Bip324Key {
  for (let draw = 0; draw < MAX_SECRET_DRAWS; draw++) {
    const secret = random.bytes(SECRET_KEY_SIZE);
    if (!nobleCurve.utils.isValidSecretKey(secret)) continue;
    const pair = curve.keyPair(secret);
    return bip324KeyOf(pair, ellswiftEncode(pair.publicX, random));
  }
  throw new RangeError(`no secp256k1 secret key in ${MAX_SECRET_DRAWS} draws`);
}

/**
 * Our side of a key exchange from a key pair and a chosen encoding of its
 * public key (`ellswift` must decode to `pair.publicX`: BIP324's vectors fix both).
 */
export function bip324KeyOf(pair: Secp256k1KeyPair, ellswift: Uint8Array): Bip324Key {
  if (ellswift.length !== ELLSWIFT_SIZE) {
    throw new RangeError(`an ElligatorSwift encoding is 64 bytes, got ${ellswift.length}`);
  }
  const ours = ellswift.slice();
  return {
    ellswift: ours,
    sharedSecret(theirs, initiator) {
      const shared = pair.sharedX(ellswiftDecode(theirs));
      return sha256.create()
        .update(TAG_PREFIX)
        .update(initiator ? ours : theirs)
        .update(initiator ? theirs : ours)
        .update(shared)
        .digest();
    },
  };
}
