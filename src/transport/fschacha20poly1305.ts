/**
 * FSChaCha20Poly1305 (BIP324): the forward-secure AEAD that seals each v2
 * packet's header and contents. Packet i of a direction is sealed with nonce
 * u32le(i mod 224) || u64le(i div 224); after every 224th packet the key
 * becomes the first 32 keystream bytes of block 1 under nonce
 * ffffffff || u64le(i div 224) (the bytes that would encrypt the start of a
 * plaintext under that nonce). Core: src/crypto/chacha20poly1305.h.
 *
 * The sealing itself goes through the AEAD port (native where the runtime
 * has it); the rekey, 32 bytes per 224 packets, is done here in TypeScript.
 */
import { chacha20 } from "@noble/ciphers/chacha.js";
import {
  AEAD_KEY_SIZE,
  AEAD_NONCE_SIZE,
  AEAD_TAG_SIZE,
  type ChaCha20Poly1305,
} from "../platform/aead.ts";
import { checkForwardSecureArgs, REKEY_INTERVAL } from "./fschacha20.ts";

/** Where the run counter sits in the nonce: after the u32 packet counter, as a u64le. */
const NONCE_RUN_OFFSET = 4;
/** The packet-counter field of the rekey nonce (never a packet's: those stay below 224). */
const REKEY_NONCE_PACKET = 0xffffffff;
/** The ChaCha20 block whose keystream is the next key (block 0 keys Poly1305). */
const REKEY_BLOCK = 1;
/** The input ChaCha20 XORs with to yield a bare key. */
const ZERO_KEY = new Uint8Array(AEAD_KEY_SIZE);

/** One direction's content AEAD. */
export class FSChaCha20Poly1305 {
  readonly #aead: ChaCha20Poly1305;
  readonly #rekeyInterval: number;
  #key: Uint8Array;
  readonly #nonce = new Uint8Array(AEAD_NONCE_SIZE);
  readonly #nonceView = new DataView(this.#nonce.buffer);
  /** Packets done in this run. */
  #packets = 0;
  /** Runs done. */
  #runs = 0;

  /**
   * `key`: 32 bytes (copied); `aead`: the ChaCha20-Poly1305 to seal with;
   * `rekeyInterval`: packets per key (BIP324: 224; tests vary it).
   */
  constructor(key: Uint8Array, aead: ChaCha20Poly1305, rekeyInterval: number = REKEY_INTERVAL) {
    checkForwardSecureArgs(key, rekeyInterval);
    this.#key = key.slice();
    this.#aead = aead;
    this.#rekeyInterval = rekeyInterval;
  }

  /**
   * Seals the next packet: `plaintext` encrypted, then the 16-byte tag, written
   * to `out` from `at`. `plaintext` may be those very bytes of `out`.
   */
  encrypt(plaintext: Uint8Array, aad: Uint8Array, out: Uint8Array, at: number): void {
    this.#aead.seal(this.#key, this.#nonce, aad, plaintext, out, at);
    this.#next();
  }

  /**
   * Opens the next packet (`sealed`: ciphertext then tag): its plaintext, or
   * null when the tag does not match. Either way the packet counts as used.
   */
  decrypt(sealed: Uint8Array, aad: Uint8Array): Uint8Array | null {
    const plaintext = sealed.length < AEAD_TAG_SIZE
      ? null
      : this.#aead.open(this.#key, this.#nonce, aad, sealed);
    this.#next();
    return plaintext;
  }

  /** Moves to the next packet's nonce, rekeying after the last of a run. */
  #next(): void {
    if (++this.#packets === this.#rekeyInterval) {
      this.#nonceView.setUint32(0, REKEY_NONCE_PACKET, true);
      this.#key = chacha20(this.#key, this.#nonce, ZERO_KEY, undefined, REKEY_BLOCK);
      this.#packets = 0;
      this.#runs++;
      this.#nonceView.setBigUint64(NONCE_RUN_OFFSET, BigInt(this.#runs), true);
    }
    this.#nonceView.setUint32(0, this.#packets, true);
  }
}
