/** Bitcoin's double SHA-256 and the frame checksum, over the injected SHA-256. */
import type { Sha256 } from "../platform/hash.ts";

/** SHA-256(SHA-256(data)). */
export function sha256d(sha256: Sha256, data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}
