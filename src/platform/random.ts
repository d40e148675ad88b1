/**
 * Randomness as an injectable source, so tests and the simulator can replay a
 * run from a seed. `cryptoRandom` uses the web-standard `crypto`.
 */

/** A source of random numbers. */
export interface Random {
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
  /** A uniform integer in [0, max) for max ≤ 2^32. */
  int(max: number): number;
  /** A uniform float in [0, 1). */
  float(): number;
}

/** Cryptographically strong randomness from `crypto.getRandomValues`. */
export const cryptoRandom: Random = {
  bytes(n) {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, i + 65536));
    return out;
  },
  int(max) {
    return Math.floor(cryptoRandom.float() * max);
  },
  float() {
    const w = new Uint32Array(2);
    crypto.getRandomValues(w);
    // 53 random bits → [0, 1)
    return ((w[0] >>> 5) * 67108864 + (w[1] >>> 6)) / 9007199254740992;
  },
};

/**
 * A fast deterministic generator (xoshiro128**) seeded from a number: the same
 * seed always gives the same sequence on every runtime. Not for secrets.
 */
export function seededRandom(seed: number): Random {
  // splitmix32 expands the seed into the four state words.
  let s = seed >>> 0;
  const next32 = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = next32(), b = next32(), c = next32(), d = next32();
  const u32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  };
  const rng: Random = {
    bytes(n) {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
    int(max) {
      return Math.floor(rng.float() * max);
    },
    float() {
      return ((u32() >>> 5) * 67108864 + (u32() >>> 6)) / 9007199254740992;
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
