/**
 * BIP324 key derivation: from the ECDH shared secret, HKDF-SHA256 (RFC 5869)
 * with salt "bitcoin_v2_shared_secret" || network magic gives the four
 * cipher keys (the initiator's and the responder's length and packet keys),
 * the two 16-byte garbage terminators and the session id, 32 bytes each
 * (Core: BIP324Cipher::Initialize). HKDF runs in TypeScript (@noble/hashes):
 * one extract and six expands cost tens of µs, a small part of a handshake
 * (bench/bip324_crypto.ts compares node:crypto's hkdfSync).
 */
import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** Bytes of the session id. Core bip324.h SESSION_ID_LEN. */
export const SESSION_ID_SIZE = 32;
/** Bytes of a garbage terminator. Core bip324.h GARBAGE_TERMINATOR_LEN. */
export const GARBAGE_TERMINATOR_SIZE = 16;
/** Bytes of each HKDF output. */
const OKM_SIZE = 32;
/** The salt's fixed part; the 4-byte network magic follows it. */
const SALT_PREFIX = "bitcoin_v2_shared_secret";

/** What one side of a v2 connection derives from the shared secret. */
export interface Bip324SessionKeys {
  /** Identifies the session; both sides hold the same (Core's getpeerinfo `session_id`). */
  readonly sessionId: Uint8Array;
  /** FSChaCha20 key of the lengths this side sends. */
  readonly sendL: Uint8Array;
  /** FSChaCha20Poly1305 key of the packets this side sends. */
  readonly sendP: Uint8Array;
  /** FSChaCha20 key of the lengths this side receives. */
  readonly recvL: Uint8Array;
  /** FSChaCha20Poly1305 key of the packets this side receives. */
  readonly recvP: Uint8Array;
  /** Ends the garbage this side sends. */
  readonly sendGarbageTerminator: Uint8Array;
  /** Ends the garbage this side receives. */
  readonly recvGarbageTerminator: Uint8Array;
}

/**
 * The session keys of the side that is (`initiator`) or is not the
 * connection's initiator, from the 32-byte shared secret and the network's
 * 4-byte magic (wire order).
 */
export function deriveBip324Keys(
  sharedSecret: Uint8Array,
  magic: Uint8Array,
  initiator: boolean,
): Bip324SessionKeys {
  if (sharedSecret.length !== OKM_SIZE) {
    throw new RangeError(`shared secret must be 32 bytes, got ${sharedSecret.length}`);
  }
  if (magic.length !== 4) throw new RangeError(`magic must be 4 bytes, got ${magic.length}`);
  const salt = new Uint8Array(SALT_PREFIX.length + magic.length);
  salt.set(ascii(SALT_PREFIX), 0);
  salt.set(magic, SALT_PREFIX.length);
  const prk = extract(sha256, sharedSecret, salt);
  const okm = (info: string) => expand(sha256, prk, ascii(info), OKM_SIZE);
  const initiatorL = okm("initiator_L");
  const initiatorP = okm("initiator_P");
  const responderL = okm("responder_L");
  const responderP = okm("responder_P");
  const terminators = okm("garbage_terminators");
  const initiatorTerminator = terminators.slice(0, GARBAGE_TERMINATOR_SIZE);
  const responderTerminator = terminators.slice(OKM_SIZE - GARBAGE_TERMINATOR_SIZE);
  return {
    sessionId: okm("session_id"),
    sendL: initiator ? initiatorL : responderL,
    sendP: initiator ? initiatorP : responderP,
    recvL: initiator ? responderL : initiatorL,
    recvP: initiator ? responderP : initiatorP,
    sendGarbageTerminator: initiator ? initiatorTerminator : responderTerminator,
    recvGarbageTerminator: initiator ? responderTerminator : initiatorTerminator,
  };
}

/** The bytes of an ASCII string. */
function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}
