/**
 * The BIP324 crypto ports done by node:crypto (OpenSSL under Node, Deno's
 * own Rust crypto behind its node:crypto): ChaCha20-Poly1305, which Node's
 * and Deno's adapters use, and secp256k1 ECDH, which Deno's uses (under Node
 * libsecp256k1 in WebAssembly is faster: adapters/shared/wasm_secp256k1.ts).
 * Bun's node:crypto has neither the cipher nor the curve
 * (adapters/bun/libcrypto_aead.ts brings the cipher there).
 * Figures: bench/bip324_crypto.ts.
 */
import { createCipheriv, createDecipheriv, createECDH } from "node:crypto";
import { AEAD_TAG_SIZE, type ChaCha20Poly1305 } from "../../src/platform/aead.ts";
import type { Secp256k1 } from "../../src/platform/secp256k1.ts";

/** node:crypto's name of the RFC 8439 AEAD. */
const AEAD = "chacha20-poly1305";
/** node:crypto's name of the curve. */
const CURVE = "secp256k1";
/** Bytes of a compressed point, and its first byte for an even y (SEC 1). */
const COMPRESSED_SIZE = 33;
const EVEN_Y = 0x02;

/** A plain Uint8Array over a Buffer's bytes (no copy; Buffer's own `slice` shares memory). */
function plain(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

/** The AEAD port done by node:crypto. */
export const nodeChaCha20Poly1305: ChaCha20Poly1305 = {
  name: "node:crypto",
  seal(key, nonce, aad, plaintext, out, at) {
    const cipher = createCipheriv(AEAD, key, nonce, { authTagLength: AEAD_TAG_SIZE });
    if (aad.length > 0) cipher.setAAD(aad);
    const ciphertext = cipher.update(plaintext);
    cipher.final();
    out.set(ciphertext, at);
    out.set(cipher.getAuthTag(), at + ciphertext.length);
  },
  open(key, nonce, aad, sealed) {
    if (sealed.length < AEAD_TAG_SIZE) return null;
    const split = sealed.length - AEAD_TAG_SIZE;
    const decipher = createDecipheriv(AEAD, key, nonce, { authTagLength: AEAD_TAG_SIZE });
    decipher.setAuthTag(sealed.subarray(split));
    if (aad.length > 0) decipher.setAAD(aad);
    const plaintext = decipher.update(sealed.subarray(0, split));
    try {
      decipher.final();
    } catch {
      return null; // the tag did not match
    }
    return plain(plaintext);
  },
};

/** The secp256k1 port done by node:crypto. */
export const nodeSecp256k1: Secp256k1 = {
  name: "node:crypto",
  keyPair(secretKey) {
    const ecdh = createECDH(CURVE);
    try {
      ecdh.setPrivateKey(secretKey);
    } catch {
      throw new RangeError("secp256k1 secret key out of range");
    }
    return {
      publicX: plain(ecdh.getPublicKey(null, "compressed")).subarray(1),
      sharedX(x) {
        if (x.length !== 32) throw new RangeError(`x must be 32 bytes, got ${x.length}`);
        const point = new Uint8Array(COMPRESSED_SIZE);
        point[0] = EVEN_Y;
        point.set(x, 1);
        try {
          return plain(ecdh.computeSecret(point));
        } catch {
          throw new RangeError("x is not the x coordinate of a secp256k1 point");
        }
      },
    };
  },
};
