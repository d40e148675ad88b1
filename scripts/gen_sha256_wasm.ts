/**
 * Generates the multi-buffer SHA-256 WebAssembly module
 * (adapters/shared/sha256_wasm.wat) and its embedded binary
 * (adapters/shared/sha256_wasm_binary.ts, base64, compiled with wabt).
 *
 * The module hashes four messages at once, one per 32-bit lane of the
 * 128-bit SIMD registers, like Core's SSE4.1 `SHA256D64` (crypto/sha256_sse41.cpp):
 * every SHA-256 operation is done on four words side by side. Its rounds are
 * generated rather than written: they rename their eight working variables
 * instead of moving them (so a loop body is a multiple of 8 rounds), the
 * message schedule rolls through sixteen locals, each word computed
 * SCHEDULE_AHEAD rounds before its use, and the padding block of a 64-byte
 * message is folded into constants (K + W of all its rounds). Each round's
 * sums are ordered for the shortest dependency chains (see `round`): on
 * the Zen 5 this was measured on, SIMD integer operations take 2 cycles
 * each, and the rounds of one lane group are a single chain. Two exports:
 *
 * - `sha256d64(in, out, n)`: SHA-256d of `n` 64-byte inputs at `in` (a
 *   merkle level: pairs of 32-byte hashes) to `n` 32-byte digests at `out`;
 *   `out` may equal `in` (a level hashed in place).
 * - `sha256d_many(jobs, n)`: SHA-256d of `n` messages of any length, each
 *   the concatenation of up to three byte ranges of memory (a transaction
 *   without its witness is three: version, inputs and outputs, lock time),
 *   described by 7 words per job: output address, then three (address,
 *   length) pairs. Each lane takes the next job when its message is done,
 *   and does the second round itself (one more block), so lanes stay busy
 *   whatever the lengths.
 *
 * Memory: the module exports its memory; bytes [0, scratch_end) are its own
 * scratch (the exported global), the caller places jobs, inputs and outputs
 * above. A message's bytes may be read up to 15 bytes past its end: the
 * caller leaves 16 bytes of slack after them.
 *
 * Run: node_modules/.bin/node scripts/gen_sha256_wasm.ts [--check]
 *   (--check: exit 1 if the committed files differ from what it generates)
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import wabtInit from "wabt";

const WAT_PATH = fileURLToPath(new URL("../adapters/shared/sha256_wasm.wat", import.meta.url));
const BINARY_PATH = fileURLToPath(
  new URL("../adapters/shared/sha256_wasm_binary.ts", import.meta.url),
);

/** SHA-256 round constants (FIPS 180-4 §4.2.2). */
const K = [
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
];
/** The initial hash value H(0) (FIPS 180-4 §5.3.3). */
const IV = [
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
];

/**
 * Rounds between a schedule word's computation and its use: words computed
 * two rounds early give the processor independent work beside each round's
 * dependency chain (V8's code keeps the source's order; a round's chain is
 * ~10 cycles where SIMD integer operations take 2 each, as on the AMD Zen 5
 * this was measured on). Measured against 0 (in its own round): 1.03-1.05×
 * on Node and Deno; 1 and 3 about the same, 8 and 16 slower.
 */
const SCHEDULE_AHEAD = 2;
/** Rounds of the padding block's loop body (a multiple of 8: the variables' names come round again). */
const PADDING_ROUNDS_PER_PASS = 8;

// Scratch layout (bytes): the four lanes' state, the block being compressed
// (both read by `$compress`), one gather buffer per lane (a 64-byte block and
// 64 bytes of slack: gathering copies 16 bytes at a time, up to 15 past the
// block), one record per lane, the block addresses of the next compression,
// then constants, each word four times: the round constants, the round
// constants plus the words of a 64-byte message's padding block, and a pool
// of others (loading a constant is one instruction; V8 builds a v128.const
// in three).
const STATE = 0; // 8 × v128: word j of the four lanes at STATE + 16j
const BLOCK = 128; // 16 × v128: word j of the four lanes' blocks at BLOCK + 16j
const LANE_BUF = 384; // 4 × 128 bytes
const LANE_REC = 896; // 4 × 32 bytes (see the REC_ offsets)
const BLOCK_PTR = 1024; // 4 × i32
const K_TABLE = 1040; // 64 × v128: K[i]
const PAD_KW = K_TABLE + 64 * 16; // 64 × v128: K[i] + W[i] of the padding block
const POOL = PAD_KW + 64 * 16; // other v128 constants, in order of first use
// A lane record: what the lane is doing and where its message stands.
const REC_PHASE = 0; // 0 idle, 1 first round, 2 second round
const REC_OUT = 4; // where the digest goes
const REC_SEG = 8; // segments left after the current one (2, 1, 0)
const REC_PTR = 12; // next byte of the current segment
const REC_LEFT = 16; // bytes left in the current segment
const REC_NEXT = 20; // address of the next segment's (address, length) pair
const REC_LEN = 24; // message length in bytes
const REC_PAD = 28; // 0: data left; 1: 0x80 written, length not yet; 2: padding done

const u32 = (x: number) => x >>> 0;
const hex = (x: number) => `0x${u32(x).toString(16).padStart(8, "0")}`;
const rotr = (x: number, n: number) => u32((x >>> n) | (x << (32 - n)));
const sigma0 = (x: number) => u32(rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3));
const sigma1 = (x: number) => u32(rotr(x, 17) ^ rotr(x, 19) ^ (x >>> 10));

/** The block after a 64-byte message: 0x80, zeros, bit length 512. */
const PAD64 = Array.from({ length: 16 }, (_, i) => i === 0 ? 0x80000000 : i === 15 ? 512 : 0);
/** Words 8-15 of a 32-byte digest's block: 0x80, zeros, bit length 256. */
const PAD32 = Array.from({ length: 8 }, (_, i) => i === 0 ? 0x80000000 : i === 7 ? 256 : 0);

/** The 64 schedule words of a block whose first 16 are `w`. */
function schedule(w: number[]): number[] {
  const s = w.slice();
  for (let i = 16; i < 64; i++) {
    s.push(u32(sigma1(s[i - 2]) + s[i - 7] + sigma0(s[i - 15]) + s[i - 16]));
  }
  return s;
}

/** Constants of the pool, in order; `pool.get(x)` is the index of x. */
const pool = new Map<number, number>();

const get = (name: string) => `(local.get $${name})`;
const set = (name: string, x: string) => `(local.set $${name} ${x})`;
const load = (at: number, base = "(i32.const 0)") => `(v128.load offset=${at} ${base})`;
const store = (at: number, x: string) => `(v128.store (i32.const ${at}) ${x})`;
const konst = (x: number) => {
  let index = pool.get(u32(x));
  if (index === undefined) pool.set(u32(x), index = pool.size);
  return load(POOL + 16 * index);
};
const add = (...xs: string[]) => xs.reduce((acc, x) => `(i32x4.add ${acc} ${x})`);
const xor = (...xs: string[]) => xs.reduce((acc, x) => `(v128.xor ${acc} ${x})`);
const shr = (x: string, n: number) => `(i32x4.shr_u ${x} (i32.const ${n}))`;
const rot = (x: string, n: number) =>
  `(v128.or ${shr(x, n)} (i32x4.shl ${x} (i32.const ${32 - n})))`;

/**
 * WAT lines of round i with `kw` (K[i] + W[i]). The working variables a..h
 * are locals renamed rather than moved (round i's a is the local i mod 8
 * letters before "a", wrapping). The sums are ordered for the shortest
 * chains: h + kw + d (the new e without its e terms) is ready before e is;
 * the new e adds Ch(e, f, g) and then Σ1(e), the deepest term, last; the new
 * a is the new e plus Σ0(a) plus Maj(a, b, c) − d, found beside it.
 * Maj(a, b, c) = b ^ ((a ^ b) & (b ^ c)), and a round's a ^ b is the next
 * round's b ^ c: locals m0 and m1 take turns.
 */
function round(i: number, kw: string): string[] {
  const v = "abcdefgh".split("");
  const [a, b, , d, e, f, g, h] = v.map((_, k) => v[(k - i % 8 + 8) % 8]);
  const E = get(e), A = get(a);
  const ab = `m${i % 2}`, bc = `m${(i + 1) % 2}`;
  const maj = xor(get(b), `(v128.and ${get(ab)} ${get(bc)})`);
  return [
    set(h, add(get(h), kw, get(d))),
    set(ab, xor(A, get(b))),
    set("z", `(i32x4.sub ${maj} ${get(d)})`),
    set(
      d,
      add(
        get(h),
        `(v128.bitselect ${get(f)} ${get(g)} ${E})`,
        xor(rot(E, 6), rot(E, 11), rot(E, 25)),
      ),
    ),
    set(h, add(get(d), get("z"), xor(rot(A, 2), rot(A, 13), rot(A, 22)))),
  ];
}

/** WAT lines computing schedule word i (i ≥ 16) into local w(i mod 16). */
function scheduleWord(i: number): string[] {
  const w = (j: number) => get(`w${j % 16}`);
  return [
    set("t0", w(i - 2)),
    set("t1", w(i - 15)),
    set(
      `w${i % 16}`,
      add(
        xor(rot(get("t0"), 17), rot(get("t0"), 19), shr(get("t0"), 10)),
        w(i - 7),
        xor(rot(get("t1"), 7), rot(get("t1"), 18), shr(get("t1"), 3)),
        w(i),
      ),
    ),
  ];
}

const ROUND_LOCALS = "(local $k i32) " +
  [..."abcdefgh", "m0", "m1", "z", "t0", "t1", ...Array.from({ length: 16 }, (_, j) => `w${j}`)]
    .map((x) => `(local $${x} v128)`).join(" ");
/** Lines loading the state into a..h, and b ^ c for the first round's Maj. */
const loadState = () => [
  ...[..."abcdefgh"].map((x, j) => set(x, load(STATE + 16 * j))),
  set("m1", xor(get("b"), get("c"))),
];
/** Lines adding a..h to the state. */
const addToState = () =>
  [..."abcdefgh"].map((x, j) => store(STATE + 16 * j, add(load(STATE + 16 * j), get(x))));

/**
 * The compression functions, on the four lanes' state at STATE: `$compress`
 * (the blocks at BLOCK: rounds 0-15 unrolled, then a loop of 16 rounds run
 * three times, each computing its schedule words), `$compress_padding` (a
 * 64-byte message's padding block, whose K + W are all in PAD_KW: a loop of
 * PADDING_ROUNDS_PER_PASS rounds), and `$reset` (the state to H(0)). Loops,
 * not 64 unrolled rounds: the same speed, a quarter of the code.
 */
function compressions(): string[] {
  const loopBody = Array.from({ length: 16 }, (_, r) => {
    const i = 16 + r;
    const words = Array.from({ length: 16 }, (_, q) => q)
      .filter((q) => Math.max(0, q - SCHEDULE_AHEAD) === r);
    return [
      ...words.flatMap((q) => scheduleWord(16 + q)),
      ...round(i, add(get(`w${i % 16}`), load(K_TABLE + 16 * i, get("k")))),
    ];
  }).flat();
  const paddingBody = Array.from(
    { length: PADDING_ROUNDS_PER_PASS },
    (_, i) => round(i, load(PAD_KW + 16 * i, get("k"))),
  ).flat();
  return [
    ";; Compresses the four lanes' blocks at BLOCK into their state at STATE.",
    "(func $compress",
    `  ${ROUND_LOCALS}`,
    ...indent(loadState(), 2),
    ...Array.from({ length: 16 }, (_, j) => `  ${set(`w${j}`, load(BLOCK + 16 * j))}`),
    ...indent(
      Array.from({ length: 16 }, (_, i) => round(i, add(get(`w${i}`), load(K_TABLE + 16 * i))))
        .flat(),
      2,
    ),
    "  ;; Rounds 16-63, 16 a pass ($k: the pass's offset into the round constants).",
    "  (loop $rounds",
    ...indent(loopBody, 4),
    "    (local.set $k (i32.add (local.get $k) (i32.const 256)))",
    "    (br_if $rounds (i32.lt_u (local.get $k) (i32.const 768))))",
    ...indent(addToState(), 2),
    ")",
    "",
    ";; Compresses the padding block of 64-byte messages into the state at STATE.",
    "(func $compress_padding",
    `  ${ROUND_LOCALS}`,
    ...indent(loadState(), 2),
    "  (loop $rounds",
    ...indent(paddingBody, 4),
    `    (local.set $k (i32.add (local.get $k) (i32.const ${16 * PADDING_ROUNDS_PER_PASS})))`,
    "    (br_if $rounds (i32.lt_u (local.get $k) (i32.const 1024))))",
    ...indent(addToState(), 2),
    ")",
    "",
    ";; Sets the state at STATE to H(0).",
    "(func $reset",
    ...IV.map((x, j) => `  ${store(STATE + 16 * j, konst(x))}`),
    ")",
  ];
}

/** Byte order reversal within each 32-bit lane. */
const BSWAP = "3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12";
const bswap = (x: string) => `(i8x16.shuffle ${BSWAP} ${x} ${x})`;
// 4×4 transpose of 32-bit words, by 32-bit then 64-bit interleaves.
const LO32 = "0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23";
const HI32 = "8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31";
const LO64 = "0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23";
const HI64 = "8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31";

/**
 * WAT lines transposing the four row vectors `rows` (expressions, each read
 * once) into columns: column j = (rows[0][j], rows[1][j], rows[2][j],
 * rows[3][j]), handed to `put(j, expr)`. Uses locals r0..r3, t0..t3.
 */
function transpose(rows: string[], put: (j: number, x: string) => string): string[] {
  const r = [0, 1, 2, 3].map((k) => get(`r${k}`));
  return [
    ...rows.map((x, k) => set(`r${k}`, x)),
    set("t0", `(i8x16.shuffle ${LO32} ${r[0]} ${r[1]})`),
    set("t1", `(i8x16.shuffle ${HI32} ${r[0]} ${r[1]})`),
    set("t2", `(i8x16.shuffle ${LO32} ${r[2]} ${r[3]})`),
    set("t3", `(i8x16.shuffle ${HI32} ${r[2]} ${r[3]})`),
    put(0, `(i8x16.shuffle ${LO64} ${get("t0")} ${get("t2")})`),
    put(1, `(i8x16.shuffle ${HI64} ${get("t0")} ${get("t2")})`),
    put(2, `(i8x16.shuffle ${LO64} ${get("t1")} ${get("t3")})`),
    put(3, `(i8x16.shuffle ${HI64} ${get("t1")} ${get("t3")})`),
  ];
}

/**
 * WAT lines loading one 64-byte block per lane from the addresses in locals
 * p0..p3 to BLOCK (word j of the four lanes side by side, big-endian words).
 */
function loadBlocks(): string[] {
  return [0, 1, 2, 3].flatMap((q) =>
    transpose(
      [0, 1, 2, 3].map((lane) => bswap(`(v128.load offset=${16 * q} ${get(`p${lane}`)})`)),
      (j, x) => store(BLOCK + 16 * (4 * q + j), x),
    )
  );
}

const TRANSPOSE_LOCALS = ["r0", "r1", "r2", "r3", "t0", "t1", "t2", "t3"]
  .map((x) => `(local $${x} v128)`).join(" ");

const indent = (lines: string[], n: number) => lines.map((l) => " ".repeat(n) + l);

/** The `sha256d64` function. */
function sha256d64(): string[] {
  const body = [
    ";; Lane k hashes input min(k, rem - 1): a short last group repeats its last input.",
    ...[0, 1, 2, 3].map((k) =>
      `(local.set $p${k} (i32.add (local.get $in) (i32.shl (select (i32.const ${k}) ` +
      `(i32.sub (local.get $rem) (i32.const 1)) (i32.lt_u (i32.const ${k}) (local.get $rem))) ` +
      `(i32.const 6))))`
    ),
    ...loadBlocks(),
    ";; First round: the 64 bytes, then the padding block.",
    "(call $reset)",
    "(call $compress)",
    "(call $compress_padding)",
    ";; Second round: the 32-byte digest and its padding.",
    ...Array.from({ length: 8 }, (_, j) => store(BLOCK + 16 * j, load(STATE + 16 * j))),
    ...PAD32.map((x, j) => store(BLOCK + 16 * (8 + j), konst(x))),
    "(call $reset)",
    "(call $compress)",
    ";; Back to one row per lane, big-endian, and stored for the lanes in use.",
    ...[0, 1].flatMap((half) =>
      transpose(
        [0, 1, 2, 3].map((j) => load(STATE + 16 * (4 * half + j))),
        (k, x) => {
          const put = `(v128.store offset=${32 * k + 16 * half} (local.get $out) ${bswap(x)})`;
          return k === 0 ? put : `(if (i32.gt_u (local.get $rem) (i32.const ${k})) (then ${put}))`;
        },
      )
    ),
  ];
  return [
    ";; SHA-256d of n 64-byte inputs at $in to n 32-byte digests at $out ($out may be $in).",
    `(func (export "sha256d64") (param $in i32) (param $out i32) (param $n i32)`,
    `  (local $rem i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)`,
    `  ${TRANSPOSE_LOCALS}`,
    "  (block $done (loop $group",
    "    (br_if $done (i32.eqz (local.get $n)))",
    "    (local.set $rem (select (i32.const 4) (local.get $n) " +
    "(i32.gt_u (local.get $n) (i32.const 4))))",
    ...indent(body, 4),
    "    (local.set $in (i32.add (local.get $in) (i32.const 256)))",
    "    (local.set $out (i32.add (local.get $out) (i32.const 128)))",
    "    (local.set $n (i32.sub (local.get $n) (local.get $rem)))",
    "    (br $group)))",
    ")",
  ];
}

/** The `sha256d_many` function and its lane helpers. */
function sha256dMany(): string[] {
  return [
    ...laneHelpers(),
    ";; SHA-256d of n messages described by 7-word jobs at $jobs (see the file header).",
    `(func (export "sha256d_many") (param $jobs i32) (param $n i32)`,
    "  (local $next i32) (local $end i32) (local $active i32)",
    "  (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)",
    `  ${TRANSPOSE_LOCALS}`,
    "  (local.set $next (local.get $jobs))",
    "  (local.set $end (i32.add (local.get $jobs) (i32.mul (local.get $n) (i32.const 28))))",
    ...[0, 1, 2, 3].map((k) =>
      `(i32.store (i32.const ${LANE_REC + 32 * k + REC_PHASE}) (i32.const 0))`
    ).map((l) => "  " + l),
    "  (loop $step",
    "    ;; Each lane finishes or continues its message, or takes the next job.",
    ...[0, 1, 2, 3].map((k) =>
      `    (local.set $next (call $advance (i32.const ${k}) (local.get $next) (local.get $end)))`
    ),
    "    (local.set $active (i32.or",
    ...[[0, 1], [2, 3]].map(([j, k]) =>
      `      (i32.or (i32.load (i32.const ${LANE_REC + 32 * j + REC_PHASE})) ` +
      `(i32.load (i32.const ${LANE_REC + 32 * k + REC_PHASE})))`
    ),
    "    ))",
    "    (if (local.get $active) (then",
    ...[0, 1, 2, 3].map((k) =>
      `      (local.set $p${k} (i32.load (i32.const ${BLOCK_PTR + 4 * k})))`
    ),
    ...indent(loadBlocks(), 6),
    "      (call $compress)",
    "      (br $step))))",
    ")",
  ];
}

/** The scalar helpers `sha256d_many` calls between compressions. */
function laneHelpers(): string[] {
  const rec = (field: number) => `(i32.add (local.get $rec) (i32.const ${field}))`;
  const load = (field: number) => `(i32.load ${rec(field)})`;
  const store = (field: number, value: string) => `(i32.store ${rec(field)} ${value})`;
  // Word j of lane $lane in the spilled state.
  const stateWord = (j: number) =>
    `(i32.add (i32.const ${STATE + 16 * j}) (i32.shl (local.get $lane) (i32.const 2)))`;
  return [
    ";; The four bytes of $x in reverse order.",
    "(func $bswap (param $x i32) (result i32)",
    "  (i32.or",
    "    (i32.or (i32.shl (local.get $x) (i32.const 24))",
    "            (i32.and (i32.shl (local.get $x) (i32.const 8)) (i32.const 0xff0000)))",
    "    (i32.or (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0xff00))",
    "            (i32.shr_u (local.get $x) (i32.const 24)))))",
    "",
    ";; Writes lane $lane's state words big-endian to $to (32 bytes): four words",
    ";; gathered into a vector, byte-swapped by one shuffle, stored, twice.",
    "(func $lane_digest (param $lane i32) (param $to i32)",
    "  (local $at i32)",
    "  (local.set $at (i32.shl (local.get $lane) (i32.const 2)))",
    ...[0, 1].map((half) => {
      const word = (j: number) =>
        `(i32.load offset=${STATE + 16 * (4 * half + j)} (local.get $at))`;
      const words = [1, 2, 3].reduce(
        (v, j) => `(i32x4.replace_lane ${j} ${v} ${word(j)})`,
        `(i32x4.splat ${word(0)})`,
      );
      return `  (v128.store offset=${16 * half} (local.get $to) ${bswap(words)})`;
    }),
    ")",
    "",
    ";; Sets lane $lane's state words to H(0).",
    "(func $lane_reset (param $lane i32)",
    ...IV.map((x, j) => `  (i32.store ${stateWord(j)} (i32.const ${hex(x)}))`),
    ")",
    "",
    ";; Copies $n bytes from $src to $dst 16 at a time (so up to 15 more: the",
    ";; caller leaves that much slack after both; memory.copy is a runtime call).",
    "(func $copy16 (param $dst i32) (param $src i32) (param $n i32)",
    "  (local $i i32)",
    "  (block $done (loop $next",
    "    (br_if $done (i32.ge_u (local.get $i) (local.get $n)))",
    "    (v128.store (i32.add (local.get $dst) (local.get $i))",
    "      (v128.load (i32.add (local.get $src) (local.get $i))))",
    "    (local.set $i (i32.add (local.get $i) (i32.const 16)))",
    "    (br $next))))",
    "",
    ";; Moves lane $lane's record to the next segment of its message, if any;",
    ";; returns 0 when the message has no bytes left.",
    "(func $next_segment (param $rec i32) (result i32)",
    "  (block $empty (loop $skip",
    `    (br_if $empty (i32.eqz ${load(REC_SEG)}))`,
    `    ${store(REC_SEG, `(i32.sub ${load(REC_SEG)} (i32.const 1))`)}`,
    `    ${store(REC_PTR, `(i32.load ${load(REC_NEXT)})`)}`,
    `    ${store(REC_LEFT, `(i32.load offset=4 ${load(REC_NEXT)})`)}`,
    `    ${store(REC_NEXT, `(i32.add ${load(REC_NEXT)} (i32.const 8))`)}`,
    `    (br_if $skip (i32.eqz ${load(REC_LEFT)}))`,
    "    (return (i32.const 1))))",
    "  (i32.const 0))",
    "",
    ";; Chooses lane $lane's next block (its address at BLOCK_PTR + 4 $lane) after",
    ";; its last compression: the next 64 bytes of its message (gathered into the",
    ";; lane's buffer with the padding when they are not contiguous), or its first",
    ";; digest's block, or, once its second round is done, its digest is stored",
    ";; and it takes the job at $next. Returns the next job's address.",
    "(func $advance (param $lane i32) (param $next i32) (param $end i32) (result i32)",
    "  (local $rec i32) (local $buf i32) (local $k i32) (local $n i32) (local $ptr i32)",
    `  (local.set $rec (i32.add (i32.const ${LANE_REC}) (i32.shl (local.get $lane) (i32.const 5))))`,
    `  (local.set $buf (i32.add (i32.const ${LANE_BUF}) (i32.shl (local.get $lane) (i32.const 7))))`,
    `  (local.set $ptr (i32.add (i32.const ${BLOCK_PTR}) (i32.shl (local.get $lane) (i32.const 2))))`,
    `  (if (i32.eq ${load(REC_PHASE)} (i32.const 2)) (then`,
    "    ;; Second round done: the digest goes out, the lane is free.",
    `    (call $lane_digest (local.get $lane) ${load(REC_OUT)})`,
    `    ${store(REC_PHASE, "(i32.const 0)")}))`,
    `  (if (i32.eqz ${load(REC_PHASE)}) (then`,
    "    (if (i32.ge_u (local.get $next) (local.get $end)) (then",
    "      ;; No job left: idle (its block is its own buffer, its result unused).",
    "      (i32.store (local.get $ptr) (local.get $buf))",
    "      (return (local.get $next))))",
    `    ${store(REC_OUT, "(i32.load (local.get $next))")}`,
    `    ${store(REC_SEG, "(i32.const 3)")}`,
    `    ${store(REC_NEXT, "(i32.add (local.get $next) (i32.const 4))")}`,
    `    ${store(REC_LEFT, "(i32.const 0)")}`,
    `    ${
      store(
        REC_LEN,
        "(i32.add (i32.add (i32.load offset=8 (local.get $next)) " +
          "(i32.load offset=16 (local.get $next))) (i32.load offset=24 (local.get $next)))",
      )
    }`,
    `    ${store(REC_PAD, "(i32.const 0)")}`,
    `    ${store(REC_PHASE, "(i32.const 1)")}`,
    "    (drop (call $next_segment (local.get $rec)))",
    "    (call $lane_reset (local.get $lane))",
    "    (local.set $next (i32.add (local.get $next) (i32.const 28)))",
    "  ) (else",
    `    (if (i32.eq ${load(REC_PAD)} (i32.const 2)) (then`,
    "      ;; First round done: hash the digest (0x80, zeros, bit length 256 after it).",
    "      (call $lane_digest (local.get $lane) (local.get $buf))",
    "      (i64.store offset=32 (local.get $buf) (i64.const 0x80))",
    "      (i64.store offset=40 (local.get $buf) (i64.const 0))",
    "      (i64.store offset=48 (local.get $buf) (i64.const 0))",
    "      (i64.store offset=56 (local.get $buf) (i64.const 0x0001000000000000))",
    "      (call $lane_reset (local.get $lane))",
    `      ${store(REC_PHASE, "(i32.const 2)")}`,
    "      (i32.store (local.get $ptr) (local.get $buf))",
    "      (return (local.get $next))))))",
    "  ;; The next block of the message: in place when 64 bytes are contiguous.",
    `  (if (i32.ge_u ${load(REC_LEFT)} (i32.const 64)) (then`,
    `    (i32.store (local.get $ptr) ${load(REC_PTR)})`,
    `    ${store(REC_PTR, `(i32.add ${load(REC_PTR)} (i32.const 64))`)}`,
    `    ${store(REC_LEFT, `(i32.sub ${load(REC_LEFT)} (i32.const 64))`)}`,
    "    ;; (Data ending exactly here leaves the padding a block of its own.)",
    `    (if (i32.eqz ${load(REC_LEFT)}) (then (drop (call $next_segment (local.get $rec)))))`,
    "    (return (local.get $next))))",
    "  ;; Otherwise gather what is left of this block, then pad.",
    "  (local.set $k (i32.const 0))",
    "  (block $gathered (loop $gather",
    `    (br_if $gathered (i32.eqz ${load(REC_LEFT)}))`,
    "    (br_if $gathered (i32.eq (local.get $k) (i32.const 64)))",
    `    (local.set $n (select ${load(REC_LEFT)} (i32.sub (i32.const 64) (local.get $k))`,
    `      (i32.lt_u ${load(REC_LEFT)} (i32.sub (i32.const 64) (local.get $k)))))`,
    `    (call $copy16 (i32.add (local.get $buf) (local.get $k)) ${load(REC_PTR)} (local.get $n))`,
    "    (local.set $k (i32.add (local.get $k) (local.get $n)))",
    `    ${store(REC_PTR, `(i32.add ${load(REC_PTR)} (local.get $n))`)}`,
    `    ${store(REC_LEFT, `(i32.sub ${load(REC_LEFT)} (local.get $n))`)}`,
    `    (br_if $gather ${load(REC_LEFT)})`,
    `    (br_if $gather (call $next_segment (local.get $rec)))))`,
    "  (i32.store (local.get $ptr) (local.get $buf))",
    "  (if (i32.lt_u (local.get $k) (i32.const 64)) (then",
    `    (if (i32.eqz ${load(REC_PAD)}) (then`,
    "      (i32.store8 (i32.add (local.get $buf) (local.get $k)) (i32.const 0x80))",
    "      (local.set $k (i32.add (local.get $k) (i32.const 1)))",
    `      ${store(REC_PAD, "(i32.const 1)")}))`,
    ...[0, 16, 32, 48].map((o) =>
      `    (v128.store offset=${o} (i32.add (local.get $buf) (local.get $k)) (v128.const i64x2 0 0))`
    ),
    "    (if (i32.le_u (local.get $k) (i32.const 56)) (then",
    "      ;; The bit length, big-endian, in the last 8 bytes (messages < 512 MiB).",
    `      (i32.store offset=60 (local.get $buf) (call $bswap (i32.shl ${
      load(REC_LEN)
    } (i32.const 3))))`,
    `      (i32.store offset=56 (local.get $buf) (call $bswap (i32.shr_u ${
      load(REC_LEN)
    } (i32.const 29))))`,
    `      ${store(REC_PAD, "(i32.const 2)")}))))`,
    "  (local.get $next))",
  ];
}

/** The whole module as WAT text. */
export function generateWat(): string {
  pool.clear();
  const functions = [...compressions(), ...sha256d64(), ...sha256dMany()];
  const padKw = schedule(PAD64).map((w, i) => u32(w + K[i]));
  const bytes = [...K, ...padKw, ...pool.keys()].flatMap((x) =>
    Array.from({ length: 16 }, (_, i) => (x >>> (8 * (i % 4))) & 0xff)
  );
  const scratchEnd = Math.ceil((K_TABLE + bytes.length + 1) / 1024) * 1024;
  const data: string[] = [];
  for (let i = 0; i < bytes.length; i += 32) {
    const chunk = bytes.slice(i, i + 32).map((b) => "\\" + b.toString(16).padStart(2, "0"));
    data.push(`    "${chunk.join("")}"`);
  }
  const lines = [
    ";; Multi-buffer SHA-256d, four lanes of 128-bit SIMD.",
    ";; Generated by scripts/gen_sha256_wasm.ts: edit that, not this file.",
    "(module",
    `  (memory (export "memory") 1)`,
    `  (global (export "scratch_end") i32 (i32.const ${scratchEnd}))`,
    `  (data (i32.const ${K_TABLE})`,
    ...data,
    "  )",
    ...indent(functions, 2),
    ")",
    "",
  ];
  return lines.join("\n");
}

/** Compiles WAT text to a wasm binary with wabt. */
export async function compileWat(wat: string): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat("sha256_wasm.wat", wat, { simd: true });
  try {
    return module.toBinary({ write_debug_names: false }).buffer;
  } finally {
    module.destroy();
  }
}

/** The embedded-binary module's text for `binary`. */
export function binaryModule(binary: Uint8Array): string {
  let b64 = "";
  const text = btoa(String.fromCharCode(...binary));
  for (let i = 0; i < text.length; i += 96) b64 += `  "${text.slice(i, i + 96)}" +\n`;
  return [
    "/**",
    " * The compiled adapters/shared/sha256_wasm.wat, base64. Generated by",
    " * scripts/gen_sha256_wasm.ts (which also checks it): do not edit.",
    " */",
    "",
    "/** The module's bytes, base64. */",
    "export const SHA256_WASM_BASE64: string =",
    b64.replace(/ \+\n$/, ";\n"),
  ].join("\n");
}

if (import.meta.main) {
  const wat = generateWat();
  const binary = await compileWat(wat);
  const ts = binaryModule(binary);
  if (process.argv.includes("--check")) {
    const same = readFileSync(WAT_PATH, "utf8") === wat && readFileSync(BINARY_PATH, "utf8") === ts;
    console.log(same ? "up to date" : "STALE: run scripts/gen_sha256_wasm.ts");
    process.exit(same ? 0 : 1);
  }
  writeFileSync(WAT_PATH, wat);
  writeFileSync(BINARY_PATH, ts);
  console.log(`wrote ${WAT_PATH} (${wat.length} chars), ${BINARY_PATH} (${binary.length} bytes)`);
}
