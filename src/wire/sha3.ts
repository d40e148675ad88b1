/**
 * SHA3-256 (FIPS 202) over Keccak-f[1600], in plain TypeScript. It lives here
 * because Web Crypto has no SHA-3 and the core imports no crypto module; its
 * only user is the Tor v3 `.onion` checksum, a few dozen bytes per call, so it
 * favours clarity over speed. 64-bit lanes are held as (lo, hi) 32-bit pairs.
 */

/** SHA3-256 rate: 1600 - 2 * 256 bits = 136 bytes absorbed per permutation. */
const RATE = 136;

/** Round constants of the iota step, as [lo, hi] pairs. */
// deno-fmt-ignore
const ROUND_CONSTANTS: readonly number[] = [
  0x00000001, 0x00000000, 0x00008082, 0x00000000, 0x0000808a, 0x80000000, 0x80008000, 0x80000000,
  0x0000808b, 0x00000000, 0x80000001, 0x00000000, 0x80008081, 0x80000000, 0x00008009, 0x80000000,
  0x0000008a, 0x00000000, 0x00000088, 0x00000000, 0x80008009, 0x00000000, 0x8000000a, 0x00000000,
  0x8000808b, 0x00000000, 0x0000008b, 0x80000000, 0x00008089, 0x80000000, 0x00008003, 0x80000000,
  0x00008002, 0x80000000, 0x00000080, 0x80000000, 0x0000800a, 0x00000000, 0x8000000a, 0x80000000,
  0x80008081, 0x80000000, 0x00008080, 0x80000000, 0x80000001, 0x00000000, 0x80008008, 0x80000000,
];

/** The rho-pi walk: the lane visited at step t (index x + 5y) ... */
// deno-fmt-ignore
const PI_LANES: readonly number[] = [
  10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1,
];
/** ... and the left rotation it receives. */
// deno-fmt-ignore
const RHO_OFFSETS: readonly number[] = [
  1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44,
];

/** Keccak-f[1600] in place on 25 lanes stored as lo/hi at [2i]/[2i+1]. */
function keccakF(s: Uint32Array): void {
  const c = new Uint32Array(10);
  for (let round = 0; round < 24; round++) {
    // theta
    for (let x = 0; x < 5; x++) {
      c[2 * x] = s[2 * x] ^ s[2 * x + 10] ^ s[2 * x + 20] ^ s[2 * x + 30] ^ s[2 * x + 40];
      c[2 * x + 1] = s[2 * x + 1] ^ s[2 * x + 11] ^ s[2 * x + 21] ^ s[2 * x + 31] ^
        s[2 * x + 41];
    }
    for (let x = 0; x < 5; x++) {
      const prev = (x + 4) % 5;
      const next = (x + 1) % 5;
      const nlo = c[2 * next];
      const nhi = c[2 * next + 1];
      const dlo = c[2 * prev] ^ ((nlo << 1) | (nhi >>> 31));
      const dhi = c[2 * prev + 1] ^ ((nhi << 1) | (nlo >>> 31));
      for (let y = 0; y < 25; y += 5) {
        s[2 * (x + y)] ^= dlo;
        s[2 * (x + y) + 1] ^= dhi;
      }
    }
    // rho and pi
    let lo = s[2];
    let hi = s[3];
    for (let t = 0; t < 24; t++) {
      const j = PI_LANES[t];
      const keepLo = s[2 * j];
      const keepHi = s[2 * j + 1];
      const n = RHO_OFFSETS[t];
      if (n < 32) {
        s[2 * j] = (lo << n) | (hi >>> (32 - n));
        s[2 * j + 1] = (hi << n) | (lo >>> (32 - n));
      } else if (n === 32) {
        s[2 * j] = hi;
        s[2 * j + 1] = lo;
      } else {
        const m = n - 32;
        s[2 * j] = (hi << m) | (lo >>> (32 - m));
        s[2 * j + 1] = (lo << m) | (hi >>> (32 - m));
      }
      lo = keepLo;
      hi = keepHi;
    }
    // chi
    for (let y = 0; y < 25; y += 5) {
      for (let x = 0; x < 5; x++) {
        c[2 * x] = s[2 * (x + y)];
        c[2 * x + 1] = s[2 * (x + y) + 1];
      }
      for (let x = 0; x < 5; x++) {
        const a = 2 * ((x + 1) % 5);
        const b = 2 * ((x + 2) % 5);
        s[2 * (x + y)] = c[2 * x] ^ (~c[a] & c[b]);
        s[2 * (x + y) + 1] = c[2 * x + 1] ^ (~c[a + 1] & c[b + 1]);
      }
    }
    // iota
    s[0] ^= ROUND_CONSTANTS[2 * round];
    s[1] ^= ROUND_CONSTANTS[2 * round + 1];
  }
}

/** XORs byte `value` into the state at byte offset `i` (lanes are little-endian). */
function xorByte(s: Uint32Array, i: number, value: number): void {
  s[i >> 2] ^= value << (8 * (i & 3));
}

/** SHA3-256 of `data` (32 bytes). */
export function sha3_256(data: Uint8Array): Uint8Array {
  const s = new Uint32Array(50);
  let at = 0;
  for (; at + RATE <= data.length; at += RATE) {
    for (let i = 0; i < RATE; i++) xorByte(s, i, data[at + i]);
    keccakF(s);
  }
  const tail = data.length - at;
  for (let i = 0; i < tail; i++) xorByte(s, i, data[at + i]);
  xorByte(s, tail, 0x06); // SHA-3 domain bits 01, then the first pad10*1 bit
  xorByte(s, RATE - 1, 0x80); // the last pad10*1 bit
  keccakF(s);
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = (s[i >> 2] >>> (8 * (i & 3))) & 0xff;
  return out;
}
