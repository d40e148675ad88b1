/**
 * SipHash-2-4 of many 32-byte inputs in one WebAssembly call: native 64-bit
 * words make it about 8× faster than the int32-halves TypeScript of
 * ./siphash.ts on all three runtimes (bench/compact.ts), which stays the
 * fallback where WebAssembly is missing or refused. The module (1,463 bytes)
 * is assembled here from its instructions, so its source is this file, on
 * first use: a one-time cost of a few milliseconds (assembly and compile),
 * which a caller may pay early by hashing once at start.
 *
 *   hash32(n, stride): key k0 ‖ k1 at [0, 16), n inputs at [16, 16 + 32n);
 *   result i (8 bytes, little-endian) stored at 16 + 32n + i × stride.
 *
 * A stride below 8 keeps the low `stride` bytes of each result (the next
 * store overwrites the rest; the last one runs 8 − stride bytes on).
 */
import type { SipKey } from "./siphash.ts";

/** Inputs per call: input, results and slack fit the module's memory. */
const CHUNK = 2048;
/** Where the inputs start in the module's memory (after the key). */
const INPUTS_AT = 16;
/** WebAssembly pages (64 KiB each) of memory: 16 + 2048 × (32 + 8) + 8 bytes fit in 2. */
const MEMORY_PAGES = 2;

/** The module's export, and its memory as bytes. */
interface Hasher {
  readonly hash32: (n: number, stride: number) => void;
  readonly memory: Uint8Array;
  readonly view: DataView;
}

/** Undefined until first use; null when WebAssembly is unavailable here. */
let hasher: Hasher | null | undefined;

function loadHasher(): Hasher | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(assemble()));
    const memory = instance.exports.memory as WebAssembly.Memory;
    return {
      hash32: instance.exports.hash32 as (n: number, stride: number) => void,
      memory: new Uint8Array(memory.buffer),
      view: new DataView(memory.buffer),
    };
  } catch {
    return null;
  }
}

/**
 * SipHash-2-4 under `key` of each 32-byte input stored back to back in
 * `inputs`; the low `size` bytes (1 to 8) of result i, little-endian, go to
 * `out[i × size, (i + 1) × size)`. Returns false, writing nothing, when
 * WebAssembly is unavailable (the caller then hashes with `sipHash24Into`).
 */
export function sipHash32Many(
  key: SipKey,
  inputs: Uint8Array,
  out: Uint8Array,
  size: number,
): boolean {
  const count = inputs.length >>> 5;
  if (inputs.length !== count * 32 || size < 1 || size > 8 || out.length < count * size) {
    throw new RangeError(
      `sipHash32Many: ${inputs.length} input bytes, ${out.length} out, size ${size}`,
    );
  }
  if (hasher === undefined) hasher = loadHasher();
  if (hasher === null) return false;
  const { hash32, memory, view } = hasher;
  view.setInt32(0, key.k0lo, true);
  view.setInt32(4, key.k0hi, true);
  view.setInt32(8, key.k1lo, true);
  view.setInt32(12, key.k1hi, true);
  for (let first = 0; first < count; first += CHUNK) {
    const n = Math.min(CHUNK, count - first);
    memory.set(inputs.subarray(first * 32, (first + n) * 32), INPUTS_AT);
    hash32(n, size);
    const results = INPUTS_AT + n * 32;
    out.set(memory.subarray(results, results + n * size), first * size);
  }
  return true;
}

// ---- the module ----

/** The opcodes used (WebAssembly core specification, binary format). */
const Op = {
  Block: 0x02,
  Loop: 0x03,
  End: 0x0b,
  Br: 0x0c,
  BrIf: 0x0d,
  LocalGet: 0x20,
  LocalSet: 0x21,
  LocalTee: 0x22,
  I64Load: 0x29,
  I64Store: 0x37,
  I32Const: 0x41,
  I64Const: 0x42,
  I32GeU: 0x4f,
  I32Add: 0x6a,
  I32Mul: 0x6c,
  I64Add: 0x7c,
  I64Xor: 0x85,
  I64Rotl: 0x89,
} as const;

/** Value and block types. */
const I32 = 0x7f;
const I64 = 0x7e;
const EMPTY_BLOCK = 0x40;

/** Locals of hash32: the two parameters, then i32 p, o, end and i64 k0, k1, v0–v3, m. */
const N = 0;
const STRIDE = 1;
const P = 2;
const O = 3;
const END = 4;
const K0 = 5;
const K1 = 6;
const V0 = 7;
const V1 = 8;
const V2 = 9;
const V3 = 10;
const M = 11;

/** Appends the unsigned LEB128 of `n` (< 2^31) to `out`. */
function uleb(out: number[], n: number): void {
  do {
    const byte = n & 0x7f;
    n >>>= 7;
    out.push(n === 0 ? byte : byte | 0x80);
  } while (n !== 0);
}

/** Appends the signed LEB128 of `n` (as a two's-complement 64-bit value) to `out`. */
function sleb(out: number[], n: bigint): void {
  n = BigInt.asIntN(64, n);
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    if ((n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** The body of hash32, appended to `c`. */
function hash32Body(c: number[]): void {
  const get = (local: number) => c.push(Op.LocalGet, local);
  const set = (local: number) => c.push(Op.LocalSet, local);
  // i64.load / i64.store with alignment hint 1 byte and a constant offset (< 128).
  const load = (offset: number) => c.push(Op.I64Load, 0, offset);
  /** a = a + b. */
  const add = (a: number, b: number) =>
    c.push(Op.LocalGet, a, Op.LocalGet, b, Op.I64Add, Op.LocalSet, a);
  /** a = a XOR b. */
  const xor = (a: number, b: number) =>
    c.push(Op.LocalGet, a, Op.LocalGet, b, Op.I64Xor, Op.LocalSet, a);
  /** a = rotl(a, bits) (bits < 64: a one-byte constant), then XOR `b` when given. */
  const rotl = (a: number, bits: number, b?: number) => {
    c.push(Op.LocalGet, a, Op.I64Const, bits, Op.I64Rotl);
    if (b !== undefined) c.push(Op.LocalGet, b, Op.I64Xor);
    set(a);
  };
  const round = () => {
    add(V0, V1);
    rotl(V1, 13, V0);
    rotl(V0, 32);
    add(V2, V3);
    rotl(V3, 16, V2);
    add(V0, V3);
    rotl(V3, 21, V0);
    add(V2, V1);
    rotl(V1, 17, V2);
    rotl(V2, 32);
  };
  /** m = the value on the stack; v3 ^= m; 2 rounds; v0 ^= m. */
  const compress = () => {
    set(M);
    xor(V3, M);
    round();
    round();
    xor(V0, M);
  };
  // k0, k1 from [0, 16); p = 16; o = end = 16 + 32n.
  c.push(Op.I32Const, 0);
  load(0);
  set(K0);
  c.push(Op.I32Const, 0);
  load(8);
  set(K1);
  c.push(Op.I32Const, INPUTS_AT);
  set(P);
  get(N);
  c.push(Op.I32Const, 32, Op.I32Mul, Op.I32Const, INPUTS_AT, Op.I32Add, Op.LocalTee, O);
  set(END);
  // while (p < end) { ... }
  c.push(Op.Block, EMPTY_BLOCK, Op.Loop, EMPTY_BLOCK);
  get(P);
  get(END);
  c.push(Op.I32GeU, Op.BrIf, 1);
  // v0..v3 = key XOR the initialisation constants ("somepseudorandomlygeneratedbytes").
  const init: [number, number, bigint][] = [
    [V0, K0, 0x736f6d6570736575n],
    [V1, K1, 0x646f72616e646f6dn],
    [V2, K0, 0x6c7967656e657261n],
    [V3, K1, 0x7465646279746573n],
  ];
  for (const [v, k, constant] of init) {
    get(k);
    c.push(Op.I64Const);
    sleb(c, constant);
    c.push(Op.I64Xor);
    set(v);
  }
  for (let word = 0; word < 4; word++) {
    get(P);
    load(8 * word);
    compress();
  }
  // The last block: no tail bytes, the length 32 in the top byte.
  c.push(Op.I64Const);
  sleb(c, 32n << 56n);
  compress();
  // Finalisation: v2 ^= 0xff, 4 rounds; the result v0 ^ v1 ^ v2 ^ v3 stored at o.
  get(V2);
  c.push(Op.I64Const);
  sleb(c, 0xffn);
  c.push(Op.I64Xor);
  set(V2);
  for (let r = 0; r < 4; r++) round();
  get(O);
  get(V0);
  get(V1);
  c.push(Op.I64Xor);
  get(V2);
  c.push(Op.I64Xor);
  get(V3);
  c.push(Op.I64Xor, Op.I64Store, 0, 0);
  // p += 32; o += stride; next.
  get(P);
  c.push(Op.I32Const, 32, Op.I32Add);
  set(P);
  get(O);
  get(STRIDE);
  c.push(Op.I32Add);
  set(O);
  c.push(Op.Br, 0, Op.End, Op.End, Op.End);
}

/** Appends section `id` with `content` to `out`. */
function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const byte of content) out.push(byte);
}

/** Appends a name (length, then ASCII) to `out`. */
function name(out: number[], text: string): void {
  uleb(out, text.length);
  for (let i = 0; i < text.length; i++) out.push(text.charCodeAt(i));
}

/** The module's bytes. */
function assemble(): Uint8Array<ArrayBuffer> {
  const code = [2, 3, I32, 7, I64]; // locals: 3 i32, 7 i64
  hash32Body(code);
  const body = [1]; // one function
  uleb(body, code.length);
  for (const byte of code) body.push(byte);
  const exports = [2];
  name(exports, "memory");
  exports.push(0x02, 0); // memory 0
  name(exports, "hash32");
  exports.push(0x00, 0); // function 0
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]; // "\0asm", version 1
  section(out, 1, [1, 0x60, 2, I32, I32, 0]); // type 0: (i32, i32) -> ()
  section(out, 3, [1, 0]); // function 0 has type 0
  section(out, 5, [1, 0x00, MEMORY_PAGES]); // one memory, no maximum
  section(out, 7, exports);
  section(out, 10, body);
  return Uint8Array.from(out);
}
