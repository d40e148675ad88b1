/**
 * The secp256k1 port done by libsecp256k1 compiled to WebAssembly
 * (tiny-secp256k1, bitcoinjs): Node's and Bun's adapters use it. It beats
 * node:crypto's secp256k1 under Node (OpenSSL's generic prime-curve code)
 * and the TypeScript curve under Bun (whose node:crypto has no secp256k1);
 * under Deno, node:crypto's is faster still. Figures: bench/bip324_crypto.ts.
 * The module reads its .wasm file through `fs` when first imported, so it
 * lives here, not in src/.
 */
import { isPrivate, pointFromScalar, pointMultiply } from "tiny-secp256k1";
import type { Secp256k1 } from "../../src/platform/secp256k1.ts";

/** Bytes of a compressed point, and its first byte for an even y (SEC 1). */
const COMPRESSED_SIZE = 33;
const EVEN_Y = 0x02;

/** The secp256k1 port done by libsecp256k1 (WebAssembly). */
export const wasmSecp256k1: Secp256k1 = {
  name: "libsecp256k1 (wasm)",
  keyPair(secretKey) {
    if (secretKey.length !== 32 || !isPrivate(secretKey)) {
      throw new RangeError("secp256k1 secret key out of range");
    }
    const k = secretKey.slice();
    const publicPoint = pointFromScalar(k, true);
    if (publicPoint === null) throw new RangeError("secp256k1 secret key out of range");
    return {
      publicX: publicPoint.subarray(1),
      sharedX(x) {
        if (x.length !== 32) throw new RangeError(`x must be 32 bytes, got ${x.length}`);
        const point = new Uint8Array(COMPRESSED_SIZE);
        point[0] = EVEN_Y;
        point.set(x, 1);
        let shared: Uint8Array | null;
        try {
          shared = pointMultiply(point, k, true);
        } catch {
          throw new RangeError("x is not the x coordinate of a secp256k1 point");
        }
        // k < n and the point is on the curve of prime order, so k·P is never infinity.
        if (shared === null) throw new RangeError("secp256k1 ECDH gave the point at infinity");
        return shared.subarray(1);
      },
    };
  },
};
