/**
 * SipHash-2-4 (Aumasson and Bernstein), the keyed hash behind BIP152 short
 * transaction ids, in TypeScript: any input length, the reference that
 * ./siphash_wasm.ts is checked against and its fallback. Every 64-bit word is
 * kept as two int32 halves in local variables: no allocation per hash, and
 * no BigInt (about 30× slower, bench/compact.ts).
 */

/** A SipHash key: the 16 key bytes read as two little-endian u64, each as int32 halves. */
export interface SipKey {
  readonly k0hi: number;
  readonly k0lo: number;
  readonly k1hi: number;
  readonly k1lo: number;
}

/** Bytes of a SipHash key. */
const SIP_KEY_SIZE = 16;
/** Bytes of a SipHash-2-4 result. */
export const SIP_HASH_SIZE = 8;

/** The key made of `bytes[0, 16)` (k0 = bytes 0–7, k1 = bytes 8–15, little-endian). */
export function sipKey(bytes: Uint8Array): SipKey {
  if (bytes.length < SIP_KEY_SIZE) {
    throw new RangeError(`a SipHash key needs ${SIP_KEY_SIZE} bytes, got ${bytes.length}`);
  }
  return {
    k0lo: readInt32(bytes, 0),
    k0hi: readInt32(bytes, 4),
    k1lo: readInt32(bytes, 8),
    k1hi: readInt32(bytes, 12),
  };
}

function readInt32(b: Uint8Array, at: number): number {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);
}

/**
 * SipHash-2-4 of `data[start, end)` under `key`; writes the low `size` bytes
 * of the 64-bit result (1 to 8), little-endian, to `out[at, at + size)`.
 * (A BIP152 short id is the low 6 bytes.) Throws `RangeError` for a range
 * outside `data` or a size outside 1..8.
 */
export function sipHash24Into(
  key: SipKey,
  data: Uint8Array,
  start: number,
  end: number,
  out: Uint8Array,
  at: number,
  size: number = SIP_HASH_SIZE,
): void {
  if (start < 0 || end < start || end > data.length || size < 1 || size > SIP_HASH_SIZE) {
    throw new RangeError(`sipHash24Into: [${start}, ${end}) of ${data.length} bytes, size ${size}`);
  }
  // v0..v3 = key XOR "somepseudorandomlygeneratedbytes" (the SipHash initialisation constants).
  let v0h = key.k0hi ^ 0x736f6d65;
  let v0l = key.k0lo ^ 0x70736575;
  let v1h = key.k1hi ^ 0x646f7261;
  let v1l = key.k1lo ^ 0x6e646f6d;
  let v2h = key.k0hi ^ 0x6c796765;
  let v2l = key.k0lo ^ 0x6e657261;
  let v3h = key.k1hi ^ 0x74656462;
  let v3l = key.k1lo ^ 0x79746573;
  const length = end - start;
  // Compression: one step per 8-byte word, then one for the last block (the
  // 0–7 tail bytes with the length mod 256 in the top byte); each XORs the
  // block into v3, runs 2 rounds and XORs it into v0. Finalisation: one more
  // step that XORs 0xff into v2 and runs 4 rounds.
  const blocks = (length >>> 3) + 1;
  let mh = 0;
  let ml = 0;
  let t = 0;
  for (let step = 0, p = start; step <= blocks; step++, p += 8) {
    let rounds = 2;
    if (step === blocks) {
      v2l ^= 0xff;
      rounds = 4;
    } else if (step < blocks - 1) {
      ml = data[p] | (data[p + 1] << 8) | (data[p + 2] << 16) | (data[p + 3] << 24);
      mh = data[p + 4] | (data[p + 5] << 8) | (data[p + 6] << 16) | (data[p + 7] << 24);
    } else {
      ml = 0;
      mh = (length & 0xff) << 24;
      for (let i = end - p - 1; i >= 0; i--) {
        if (i < 4) ml |= data[p + i] << (8 * i);
        else mh |= data[p + i] << (8 * (i - 4));
      }
    }
    if (step < blocks) {
      v3h ^= mh;
      v3l ^= ml;
    }
    for (let r = 0; r < rounds; r++) {
      // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
      t = (v0l + v1l) | 0;
      v0h = (v0h + v1h + ((t >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0;
      v0l = t;
      t = (v1h << 13) | (v1l >>> 19);
      v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l;
      v1h = t ^ v0h;
      t = v0h;
      v0h = v0l;
      v0l = t;
      // v2 += v3; v3 = rotl(v3, 16) ^ v2
      t = (v2l + v3l) | 0;
      v2h = (v2h + v3h + ((t >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0;
      v2l = t;
      t = (v3h << 16) | (v3l >>> 16);
      v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l;
      v3h = t ^ v2h;
      // v0 += v3; v3 = rotl(v3, 21) ^ v0
      t = (v0l + v3l) | 0;
      v0h = (v0h + v3h + ((t >>> 0) < (v0l >>> 0) ? 1 : 0)) | 0;
      v0l = t;
      t = (v3h << 21) | (v3l >>> 11);
      v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l;
      v3h = t ^ v0h;
      // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
      t = (v2l + v1l) | 0;
      v2h = (v2h + v1h + ((t >>> 0) < (v2l >>> 0) ? 1 : 0)) | 0;
      v2l = t;
      t = (v1h << 17) | (v1l >>> 15);
      v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l;
      v1h = t ^ v2h;
      t = v2h;
      v2h = v2l;
      v2l = t;
    }
    if (step < blocks) {
      v0h ^= mh;
      v0l ^= ml;
    }
  }
  const hi = v0h ^ v1h ^ v2h ^ v3h;
  const lo = v0l ^ v1l ^ v2l ^ v3l;
  for (let i = 0; i < size; i++) {
    out[at + i] = (i < 4 ? lo >>> (8 * i) : hi >>> (8 * (i - 4))) & 0xff;
  }
}
