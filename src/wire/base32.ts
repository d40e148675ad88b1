/**
 * RFC 4648 base32 (alphabet a-z 2-7) without padding, as used by the text
 * forms of Tor (`.onion`), I2P (`.b32.i2p`) and internal (`.internal`) names.
 */

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** ASCII code → 5-bit value, -1 outside the alphabet; upper case accepted. */
const DECODE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let v = 0; v < 32; v++) {
    t[ALPHABET.charCodeAt(v)] = v;
    t[ALPHABET.toUpperCase().charCodeAt(v)] = v;
  }
  return t;
})();

/** Lowercase base32 of `bytes`, unpadded. */
export function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let acc = 0;
  let bits = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >>> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/**
 * Bytes of unpadded base32 text (either case), or `null` when `text` has a
 * character outside the alphabet (padding `=` included) or a tail that is not
 * a zero remainder of fewer than 5 bits (a non-canonical encoding).
 */
export function decodeBase32(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? DECODE[code] : -1;
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >>> bits) & 0xff;
    }
  }
  if (bits >= 5 || (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
