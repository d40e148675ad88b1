/**
 * ChaCha20-Poly1305 from the system's OpenSSL 3 (libcrypto) through
 * `bun:ffi`: Bun's node:crypto has no ChaCha20, and the core's TypeScript
 * AEAD seals a 1 MB packet ~20× slower than OpenSSL (bench/bip324_crypto.ts).
 * Where the library cannot be loaded, `loadLibcryptoAead` gives undefined and
 * the core keeps its TypeScript AEAD.
 *
 * One cipher context serves every call: calls are synchronous and
 * JavaScript runs them one at a time.
 */
import { AEAD_TAG_SIZE, type ChaCha20Poly1305 } from "../../src/platform/aead.ts";

/** The module name, kept out of a literal import so Deno and Node type-check this file. */
const FFI_MODULE = "bun:ffi";
/** Where OpenSSL 3's libcrypto is looked for (Linux, then macOS). */
const LIBRARY_NAMES = ["libcrypto.so.3", "libcrypto.3.dylib"];
/** EVP_CIPHER_CTX_ctrl commands (openssl/evp.h EVP_CTRL_AEAD_GET_TAG / SET_TAG). */
const GET_TAG = 0x10;
const SET_TAG = 0x11;

/** An opaque C pointer as bun:ffi hands it back. */
type Pointer = number | bigint | null;
/** A C argument: a typed array passes its data pointer; null is NULL. */
type Arg = Uint8Array | Int32Array | Pointer | number;

/** The libcrypto functions used here. */
interface Libcrypto {
  EVP_CIPHER_CTX_new(): Pointer;
  EVP_chacha20_poly1305(): Pointer;
  EVP_EncryptInit_ex(...args: Arg[]): number;
  EVP_EncryptUpdate(...args: Arg[]): number;
  EVP_EncryptFinal_ex(...args: Arg[]): number;
  EVP_DecryptInit_ex(...args: Arg[]): number;
  EVP_DecryptUpdate(...args: Arg[]): number;
  EVP_DecryptFinal_ex(...args: Arg[]): number;
  EVP_CIPHER_CTX_ctrl(...args: Arg[]): number;
}

/** The slice of bun:ffi used here. */
interface BunFfi {
  dlopen(
    name: string,
    symbols: Record<string, { args: string[]; returns: string }>,
  ): { symbols: Libcrypto };
}

/** The C signatures of `Libcrypto`. */
const SIGNATURES: Record<keyof Libcrypto, { args: string[]; returns: string }> = {
  EVP_CIPHER_CTX_new: { args: [], returns: "ptr" },
  EVP_chacha20_poly1305: { args: [], returns: "ptr" },
  EVP_EncryptInit_ex: { args: ["ptr", "ptr", "ptr", "ptr", "ptr"], returns: "i32" },
  EVP_EncryptUpdate: { args: ["ptr", "ptr", "ptr", "ptr", "i32"], returns: "i32" },
  EVP_EncryptFinal_ex: { args: ["ptr", "ptr", "ptr"], returns: "i32" },
  EVP_DecryptInit_ex: { args: ["ptr", "ptr", "ptr", "ptr", "ptr"], returns: "i32" },
  EVP_DecryptUpdate: { args: ["ptr", "ptr", "ptr", "ptr", "i32"], returns: "i32" },
  EVP_DecryptFinal_ex: { args: ["ptr", "ptr", "ptr"], returns: "i32" },
  EVP_CIPHER_CTX_ctrl: { args: ["ptr", "i32", "i32", "ptr"], returns: "i32" },
};

/** Throws unless a libcrypto call returned 1 (success): a broken library, not bad input. */
function ok(result: number, what: string): void {
  if (result !== 1) throw new Error(`libcrypto ${what} failed`);
}

/** The one load of the library (every caller shares its cipher context). */
let loaded: Promise<ChaCha20Poly1305 | undefined> | undefined;

/**
 * The AEAD port over the system's libcrypto, or undefined where it cannot be
 * loaded. Loads once: every call gives the same port.
 */
export function loadLibcryptoAead(): Promise<ChaCha20Poly1305 | undefined> {
  loaded ??= load();
  return loaded;
}

/** Opens libcrypto and binds the port to it. */
async function load(): Promise<ChaCha20Poly1305 | undefined> {
  let f: Libcrypto | undefined;
  try {
    const ffi = await import(FFI_MODULE) as BunFfi;
    for (const name of LIBRARY_NAMES) {
      try {
        f = ffi.dlopen(name, SIGNATURES).symbols;
        break;
      } catch {
        // not there: try the next name
      }
    }
  } catch {
    return undefined; // no bun:ffi
  }
  if (f === undefined) return undefined;
  const lib = f;
  const ctx = lib.EVP_CIPHER_CTX_new();
  const cipher = lib.EVP_chacha20_poly1305();
  if (!ctx || !cipher) return undefined;
  const written = new Int32Array(1);
  const tag = new Uint8Array(AEAD_TAG_SIZE);
  return {
    name: "libcrypto (bun:ffi)",
    seal(key, nonce, aad, plaintext, out, at) {
      ok(lib.EVP_EncryptInit_ex(ctx, cipher, null, key, nonce), "EncryptInit");
      if (aad.length > 0) ok(lib.EVP_EncryptUpdate(ctx, null, written, aad, aad.length), "aad");
      if (plaintext.length > 0) {
        const ciphertext = out.subarray(at, at + plaintext.length);
        ok(lib.EVP_EncryptUpdate(ctx, ciphertext, written, plaintext, plaintext.length), "Encrypt");
      }
      ok(lib.EVP_EncryptFinal_ex(ctx, tag, written), "EncryptFinal"); // writes nothing: a stream cipher
      ok(lib.EVP_CIPHER_CTX_ctrl(ctx, GET_TAG, AEAD_TAG_SIZE, tag), "GET_TAG");
      out.set(tag, at + plaintext.length);
    },
    open(key, nonce, aad, sealed) {
      if (sealed.length < AEAD_TAG_SIZE) return null;
      const length = sealed.length - AEAD_TAG_SIZE;
      tag.set(sealed.subarray(length));
      ok(lib.EVP_DecryptInit_ex(ctx, cipher, null, key, nonce), "DecryptInit");
      ok(lib.EVP_CIPHER_CTX_ctrl(ctx, SET_TAG, AEAD_TAG_SIZE, tag), "SET_TAG");
      if (aad.length > 0) ok(lib.EVP_DecryptUpdate(ctx, null, written, aad, aad.length), "aad");
      const plaintext = new Uint8Array(length);
      if (length > 0) {
        ok(lib.EVP_DecryptUpdate(ctx, plaintext, written, sealed, length), "Decrypt");
      }
      // 1 when the tag matches; the plaintext is handed out only then.
      return lib.EVP_DecryptFinal_ex(ctx, tag, written) === 1 ? plaintext : null;
    },
  };
}
