/**
 * Generates the multi-buffer SHA-256 WebAssembly module
 * (adapters/shared/sha256_wasm.wat) and its embedded binary
 * (adapters/shared/sha256_wasm_binary.ts, base64, compiled with wabt).
 *
 * The module hashes four messages at once, one per 32-bit lane of the
 * 128-bit SIMD registers, like Core's SSE4.1 `SHA256D64` (crypto/sha256_sse41.cpp):
 * every SHA-256 operation is done on four words side by side. Its
 * compressions are unrolled in full, which is why they are generated rather
 * than written: the rounds rename their eight working variables instead of
 * moving them, the message schedule rolls through sixteen locals, and every
 * word known when generating (the padding block of a 64-byte message, the
 * padding half of a digest's block, the round constants) is folded into
 * constants. Two exports:
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

// Scratch layout (bytes): the state of the four lanes between compressions
// of `sha256d_many`, one gather buffer per lane (a 64-byte block and 64
// bytes of slack: gathering copies 16 bytes at a time, up to 15 past the
// block), one record per lane, the four block addresses of the next
// compression, and the constant pool (loading a constant is one instruction;
// V8 builds a v128.const in three).
const STATE = 0; // 8 × v128: word j of the four lanes at STATE + 16j
const LANE_BUF = 128; // 4 × 128 bytes
const LANE_REC = 640; // 4 × 32 bytes (see the REC_ offsets)
const BLOCK_PTR = 768; // 4 × i32
const POOL = 1024; // v128 constants, each word four times
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

/** A schedule word: known when generating, or an expression reading it. */
type Word = { c: number } | { e: string };

/** Constants of the pool, in order; `pool.get(x)` is the index of x. */
const pool = new Map<number, number>();

const get = (name: string) => `(local.get $${name})`;
const konst = (x: number) => {
  let index = pool.get(u32(x));
  if (index === undefined) pool.set(u32(x), index = pool.size);
  return `(v128.load (i32.const ${POOL + 16 * index}))`;
};
const add = (...xs: string[]) => xs.reduce((acc, x) => `(i32x4.add ${acc} ${x})`);
const xor = (...xs: string[]) => xs.reduce((acc, x) => `(v128.xor ${acc} ${x})`);
const shr = (x: string, n: number) => `(i32x4.shr_u ${x} (i32.const ${n}))`;
const rot = (x: string, n: number) =>
  `(v128.or ${shr(x, n)} (i32x4.shl ${x} (i32.const ${32 - n})))`;
// The state and the message schedule live in locals (measured faster than in memory).
const sRead = (i: number) => get(`s${i}`);
const sWrite = (i: number, x: string) => `(local.set $s${i} ${x})`;
const wRead = (i: number) => get(`w${i}`);
const wWrite = (i: number, x: string) => `(local.set $w${i} ${x})`;
/** The block's 16 words as loaded by `loadBlocks`. */
const DATA: Word[] = Array.from({ length: 16 }, (_, i) => ({ e: wRead(i) }));

/**
 * One compression of the block whose 16 words are `w` into the state
 * (locals s0..s7), as WAT lines. Words given as constants are
 * folded. `fromIv`: the state is H(0) (it need not hold it), and the result
 * replaces it rather than adding to it.
 */
function compress(w: Word[], fromIv: boolean): string[] {
  const out: string[] = [];
  const v = ["a", "b", "c", "d", "e", "f", "g", "h"];
  for (let i = 0; i < 8; i++) {
    out.push(`(local.set $${v[i]} ${fromIv ? konst(IV[i]) : sRead(i)})`);
  }
  const sched: Word[] = w.slice();
  for (let i = 0; i < 64; i++) {
    if (i >= 16) {
      const w2 = sched[i - 2], w7 = sched[i - 7], w15 = sched[i - 15], w16 = sched[i - 16];
      if ("c" in w2 && "c" in w7 && "c" in w15 && "c" in w16) {
        sched[i] = { c: u32(sigma1(w2.c) + w7.c + sigma0(w15.c) + w16.c) };
      } else {
        let known = 0;
        const terms: string[] = [];
        if ("c" in w2) known += sigma1(w2.c);
        else {
          out.push(`(local.set $t0 ${w2.e})`);
          terms.push(xor(rot(get("t0"), 17), rot(get("t0"), 19), shr(get("t0"), 10)));
        }
        if ("c" in w15) known += sigma0(w15.c);
        else {
          out.push(`(local.set $t1 ${w15.e})`);
          terms.push(xor(rot(get("t1"), 7), rot(get("t1"), 18), shr(get("t1"), 3)));
        }
        for (const t of [w7, w16]) {
          if ("c" in t) known += t.c;
          else terms.push(t.e);
        }
        if (u32(known) !== 0) terms.push(konst(u32(known)));
        out.push(wWrite(i % 16, add(...terms)));
        sched[i] = { e: wRead(i % 16) };
      }
    }
    const [a, b, c, d, e, f, g, h] = v.map((_, k) => v[(k - i % 8 + 8) % 8]);
    const wi = sched[i];
    const kw = "c" in wi ? konst(u32(K[i] + wi.c)) : add(wi.e, konst(K[i]));
    const E = get(e), A = get(a);
    out.push(
      `(local.set $${h} ${
        add(
          get(h),
          xor(rot(E, 6), rot(E, 11), rot(E, 25)),
          `(v128.bitselect ${get(f)} ${get(g)} ${E})`,
          kw,
        )
      })`,
    );
    out.push(`(local.set $${d} ${add(get(d), get(h))})`);
    out.push(
      `(local.set $${h} ${
        add(
          get(h),
          xor(rot(A, 2), rot(A, 13), rot(A, 22)),
          `(v128.bitselect ${get(c)} ${A} (v128.xor ${A} ${get(b)}))`,
        )
      })`,
    );
  }
  for (let i = 0; i < 8; i++) {
    out.push(sWrite(i, add(fromIv ? konst(IV[i]) : sRead(i), get(v[i]))));
  }
  return out;
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
    ...rows.map((x, k) => `(local.set $r${k} ${x})`),
    `(local.set $t0 (i8x16.shuffle ${LO32} ${r[0]} ${r[1]}))`,
    `(local.set $t1 (i8x16.shuffle ${HI32} ${r[0]} ${r[1]}))`,
    `(local.set $t2 (i8x16.shuffle ${LO32} ${r[2]} ${r[3]}))`,
    `(local.set $t3 (i8x16.shuffle ${HI32} ${r[2]} ${r[3]}))`,
    put(0, `(i8x16.shuffle ${LO64} ${get("t0")} ${get("t2")})`),
    put(1, `(i8x16.shuffle ${HI64} ${get("t0")} ${get("t2")})`),
    put(2, `(i8x16.shuffle ${LO64} ${get("t1")} ${get("t3")})`),
    put(3, `(i8x16.shuffle ${HI64} ${get("t1")} ${get("t3")})`),
  ];
}

/**
 * WAT lines loading one 64-byte block per lane from the addresses in locals
 * p0..p3 into the schedule's words 0-15 (word j of the four lanes side by
 * side, big-endian words).
 */
function loadBlocks(): string[] {
  return [0, 1, 2, 3].flatMap((q) =>
    transpose(
      [0, 1, 2, 3].map((lane) => bswap(`(v128.load offset=${16 * q} ${get(`p${lane}`)})`)),
      (j, x) => wWrite(4 * q + j, x),
    )
  );
}

const V128_LOCALS = [
  ..."abcdefgh".split("").map((x) => `$${x}`),
  ...Array.from({ length: 8 }, (_, i) => `$s${i}`),
  ...Array.from({ length: 16 }, (_, i) => `$w${i}`),
  "$r0",
  "$r1",
  "$r2",
  "$r3",
  "$t0",
  "$t1",
  "$t2",
  "$t3",
];
const v128Locals = V128_LOCALS.map((x) => `(local ${x} v128)`).join(" ");

const indent = (lines: string[], n: number) => lines.map((l) => " ".repeat(n) + l);

/** The `sha256d64` function. */
function sha256d64(): string[] {
  // The second block of a 64-byte message: 0x80, zeros, bit length 512.
  const pad64: Word[] = Array.from({ length: 16 }, (_, i) => ({
    c: i === 0 ? 0x80000000 : i === 15 ? 512 : 0,
  }));
  // A 32-byte digest's block: the digest (state words), 0x80, zeros, bit length 256.
  const digest: Word[] = Array.from(
    { length: 16 },
    (_, i) => i < 8 ? { e: sRead(i) } : { c: i === 8 ? 0x80000000 : i === 15 ? 256 : 0 },
  );
  const body = [
    ";; Lane k hashes input min(k, rem - 1): a short last group repeats its last input.",
    ...[0, 1, 2, 3].map((k) =>
      `(local.set $p${k} (i32.add (local.get $in) (i32.shl (select (i32.const ${k}) ` +
      `(i32.sub (local.get $rem) (i32.const 1)) (i32.lt_u (i32.const ${k}) (local.get $rem))) ` +
      `(i32.const 6))))`
    ),
    ...loadBlocks(),
    ";; First round: the 64 bytes, then the padding block.",
    ...compress(DATA, true),
    ...compress(pad64, false),
    ";; Second round: the 32-byte digest and its padding.",
    ...compress(digest, true),
    ";; Back to one row per lane, big-endian, and stored for the lanes in use.",
    ...[0, 1].flatMap((half) =>
      transpose(
        [0, 1, 2, 3].map((j) => sRead(4 * half + j)),
        (k, x) => {
          const store = `(v128.store offset=${32 * k + 16 * half} (local.get $out) ${bswap(x)})`;
          return k === 0
            ? store
            : `(if (i32.gt_u (local.get $rem) (i32.const ${k})) (then ${store}))`;
        },
      )
    ),
  ];
  return [
    ";; SHA-256d of n 64-byte inputs at $in to n 32-byte digests at $out ($out may be $in).",
    `(func (export "sha256d64") (param $in i32) (param $out i32) (param $n i32)`,
    `  (local $rem i32) (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32)`,
    `  ${v128Locals}`,
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
    `  ${v128Locals}`,
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
    ...Array.from(
      { length: 8 },
      (_, i) => `      (local.set $s${i} (v128.load (i32.const ${STATE + 16 * i})))`,
    ),
    ...indent(loadBlocks(), 6),
    ...indent(compress(DATA, false), 6),
    ...Array.from(
      { length: 8 },
      (_, i) => `      (v128.store (i32.const ${STATE + 16 * i}) (local.get $s${i}))`,
    ),
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
    ";; Writes lane $lane's state words big-endian to $to (32 bytes).",
    "(func $lane_digest (param $lane i32) (param $to i32)",
    ...Array.from(
      { length: 8 },
      (_, j) =>
        `  (i32.store offset=${4 * j} (local.get $to) (call $bswap (i32.load ${stateWord(j)})))`,
    ),
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
  const functions = [...sha256d64(), ...sha256dMany()];
  const constants = [...pool.keys()];
  const bytes = constants.flatMap((x) =>
    Array.from({ length: 16 }, (_, i) => (x >>> (8 * (i % 4))) & 0xff)
  );
  const scratchEnd = Math.ceil((POOL + bytes.length + 1) / 1024) * 1024;
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
    ...(data.length === 0 ? [] : [`  (data (i32.const ${POOL})`, ...data, "  )"]),
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
