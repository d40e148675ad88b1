/**
 * ChaCha20-Poly1305 in TypeScript (@noble/ciphers): the AEAD port's fallback
 * for a runtime whose adapter brings no native one (Bun without the system's
 * libcrypto: its node:crypto has no ChaCha20). See src/platform/aead.ts and
 * bench/bip324_crypto.ts.
 */
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { AEAD_TAG_SIZE, type ChaCha20Poly1305 } from "../platform/aead.ts";

/** The AEAD port done by @noble/ciphers. */
export const nobleChaCha20Poly1305: ChaCha20Poly1305 = {
  name: "noble",
  seal(key, nonce, aad, plaintext, out, at) {
    const end = at + plaintext.length + AEAD_TAG_SIZE;
    chacha20poly1305(key, nonce, aad).encrypt(plaintext, out.subarray(at, end));
  },
  open(key, nonce, aad, sealed) {
    if (sealed.length < AEAD_TAG_SIZE) return null;
    try {
      return chacha20poly1305(key, nonce, aad).decrypt(sealed);
    } catch {
      return null; // the tag did not match
    }
  },
};
