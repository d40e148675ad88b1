/**
 * FSChaCha20 (BIP324): the forward-secure stream cipher that hides each v2
 * packet's 3-byte length. One continuous ChaCha20 keystream serves a run of
 * `rekeyInterval` chunks (one chunk per packet); after the run the next 32
 * keystream bytes become the key, the nonce counts the run, and the block
 * counter starts again at 0. Core: src/crypto/chacha20.h FSChaCha20.
 *
 * Pure TypeScript (@noble/ciphers' ChaCha20): with BIP324's 3-byte chunks a
 * whole run is 224 × 3 + 32 = 704 bytes = 11 blocks, made in one call.
 */
import { chacha20 } from "@noble/ciphers/chacha.js";
import { AEAD_KEY_SIZE, AEAD_NONCE_SIZE } from "../platform/aead.ts";

/** Packets between rekeys, for both ciphers of a direction. BIP324 and Core bip324.h REKEY_INTERVAL. */
export const REKEY_INTERVAL = 224;
/** ChaCha20's block size. */
const BLOCK_SIZE = 64;
/** Keystream made per call: a whole run of BIP324's 3-byte chunks (see the module header). */
const KEYSTREAM_BATCH = 11 * BLOCK_SIZE;
/** The input ChaCha20 XORs with to yield bare keystream. */
const ZEROS = new Uint8Array(KEYSTREAM_BATCH);
/** Where the run counter sits in the nonce: after 4 zero bytes, as a u64le. */
const NONCE_RUN_OFFSET = 4;

/**
 * Throws a `RangeError` unless `key` is 32 bytes and `rekeyInterval` a
 * positive integer: the arguments of both forward-secure ciphers.
 */
export function checkForwardSecureArgs(key: Uint8Array, rekeyInterval: number): void {
  if (key.length !== AEAD_KEY_SIZE) {
    throw new RangeError(`key must be 32 bytes, got ${key.length}`);
  }
  if (!Number.isInteger(rekeyInterval) || rekeyInterval < 1) {
    throw new RangeError(`rekey interval must be a positive integer, got ${rekeyInterval}`);
  }
}

/** One direction's length cipher. */
export class FSChaCha20 {
  readonly #rekeyInterval: number;
  #key: Uint8Array;
  readonly #nonce = new Uint8Array(AEAD_NONCE_SIZE);
  readonly #nonceView = new DataView(this.#nonce.buffer);
  /** Keystream made but not yet used: `#stream[#used..]`. */
  readonly #stream = new Uint8Array(KEYSTREAM_BATCH);
  #used = KEYSTREAM_BATCH;
  /** The block counter of the next keystream batch. */
  #block = 0;
  /** Chunks done in this run. */
  #chunks = 0;
  /** Runs done (the nonce's counter). */
  #runs = 0;

  /** `key`: 32 bytes (copied). `rekeyInterval`: chunks per run (BIP324: 224; tests vary it). */
  constructor(key: Uint8Array, rekeyInterval: number = REKEY_INTERVAL) {
    checkForwardSecureArgs(key, rekeyInterval);
    this.#key = key.slice();
    this.#rekeyInterval = rekeyInterval;
  }

  /**
   * Encrypts or decrypts (the same XOR) one chunk: `input` XOR the next
   * keystream bytes, written to `output` (same length; may be `input`).
   */
  crypt(input: Uint8Array, output: Uint8Array = new Uint8Array(input.length)): Uint8Array {
    if (output.length !== input.length) {
      throw new RangeError(`output is ${output.length} bytes for ${input.length} of input`);
    }
    for (let i = 0; i < input.length;) {
      if (this.#used === KEYSTREAM_BATCH) this.#refill();
      const n = Math.min(input.length - i, KEYSTREAM_BATCH - this.#used);
      for (let j = 0; j < n; j++) output[i + j] = input[i + j] ^ this.#stream[this.#used + j];
      this.#used += n;
      i += n;
    }
    if (++this.#chunks === this.#rekeyInterval) this.#rekey();
    return output;
  }

  /** Makes the next batch of keystream. */
  #refill(): void {
    chacha20(this.#key, this.#nonce, ZEROS, this.#stream, this.#block);
    this.#block += KEYSTREAM_BATCH / BLOCK_SIZE;
    this.#used = 0;
  }

  /** Ends a run: the next 32 keystream bytes are the new key. */
  #rekey(): void {
    const key = new Uint8Array(AEAD_KEY_SIZE);
    for (let i = 0; i < AEAD_KEY_SIZE; i++) {
      if (this.#used === KEYSTREAM_BATCH) this.#refill();
      key[i] = this.#stream[this.#used++];
    }
    this.#key = key;
    this.#chunks = 0;
    this.#runs++;
    this.#nonceView.setBigUint64(NONCE_RUN_OFFSET, BigInt(this.#runs), true);
    this.#block = 0;
    this.#used = KEYSTREAM_BATCH;
  }
}
