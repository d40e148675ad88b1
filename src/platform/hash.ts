/** The hashing port: the runtime's native SHA-256. */

/** SHA-256 of `data` (32 bytes). Synchronous: it sits in the hot path. */
export type Sha256 = (data: Uint8Array) => Uint8Array;
