/**
 * secp256k1 key pairs and x-only ECDH in TypeScript (@noble/curves): the
 * secp256k1 port's fallback for a runtime whose adapter brings no native
 * curve (Bun's node:crypto has no secp256k1). See src/platform/secp256k1.ts.
 */
import { secp256k1 } from "@noble/curves/secp256k1.js";
import type { Secp256k1 } from "../platform/secp256k1.ts";

/** First byte of a compressed point with an even y (SEC 1). */
const EVEN_Y = 0x02;

/** The secp256k1 port done by @noble/curves. */
export const nobleSecp256k1: Secp256k1 = {
  name: "noble",
  keyPair(secretKey) {
    if (!secp256k1.utils.isValidSecretKey(secretKey)) {
      throw new RangeError("secp256k1 secret key out of range");
    }
    const k = secretKey.slice();
    return {
      publicX: secp256k1.getPublicKey(k, true).subarray(1),
      sharedX(x) {
        if (x.length !== 32) throw new RangeError(`x must be 32 bytes, got ${x.length}`);
        const point = new Uint8Array(33);
        point[0] = EVEN_Y;
        point.set(x, 1);
        try {
          return secp256k1.getSharedSecret(k, point, true).subarray(1);
        } catch {
          throw new RangeError("x is not the x coordinate of a secp256k1 point");
        }
      },
    };
  },
};
