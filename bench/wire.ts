/**
 * Block parse benchmark: decode + every txid + merkle root (+ the witness
 * commitment for the segwit block) for mainnet blocks 413567 (1 MB, 1557 txs)
 * and 540107 (2.26 MB, 230 txs), next to the floor: sha256d of the same bytes
 * in one call. Then SHA-256 implementations compared on one call of 64 bytes,
 * one of 1 MB, and the whole parse of block 413567 (Bun's native hashers
 * are included under Bun; where the platform's hasher has a batch, it is
 * also timed without it, every message hashed by its own call: the figure
 * before the batch, in the same run).
 *
 * Under node, bcoin 1.0.2 parses block 413567 too (`Block.fromRaw`, then
 * `createMerkleRoot`: every txid and the root, checked against the header),
 * and its figures go in the result line as the "bcoin" column.
 *
 * Run: node_modules/.bin/bun bench/wire.ts
 *      node_modules/.bin/deno run -A bench/wire.ts
 *      node_modules/.bin/node bench/wire.ts
 */
import { platform } from "#platform";
import { Buffer } from "node:buffer";
import { createHash, hash } from "node:crypto";
import type { Sha256 } from "../src/platform/hash.ts";
import { blockTxids, checkMerkleRoot, decodeBlock } from "../src/wire/block.ts";
import { sha256d } from "../src/wire/hash.ts";
import { checkWitnessCommitment } from "../src/wire/witness.ts";
import { vectorBytes } from "../tests/support/vectors.ts";
import { loadBcoin } from "./_bcoin.ts";
import { printResult } from "./_result.ts";
import { RUNTIME_LABEL as runtime } from "./_runtime_label.ts";

/** The parts of Bun's API this bench touches (declared here so deno and node type-check). */
declare const Bun: undefined | {
  SHA256: { hash(data: Uint8Array, into?: Uint8Array): Uint8Array };
  CryptoHasher: new (algorithm: string) => { update(data: Uint8Array): { digest(): Uint8Array } };
};

/** Milliseconds each measurement runs for, after the warm-up. */
const TARGET_MS = 2000;
/** Calls before timing starts (lets the JIT settle). */
const WARMUP_CALLS = 20;

/** Runs `fn` for about `ms` after a warm-up; returns milliseconds per call. */
function time(fn: () => void, ms = TARGET_MS): number {
  for (let i = 0; i < WARMUP_CALLS; i++) fn();
  let n = 0;
  const begin = performance.now();
  let now = begin;
  while (now - begin < ms) {
    for (let i = 0; i < 10; i++) fn();
    n += 10;
    now = performance.now();
  }
  return (now - begin) / n;
}

/** The measured work: decode, all txids, merkle root check, witness commitment check. */
function parse(sha256: Sha256, bytes: Uint8Array, witness: boolean): void {
  const block = decodeBlock(bytes);
  const txids = blockTxids(sha256, block);
  const merkle = checkMerkleRoot(sha256, block, txids);
  if (!merkle.matchesHeader || merkle.mutated) throw new Error("merkle root mismatch");
  if (witness && checkWitnessCommitment(sha256, block, txids).status !== "valid") {
    throw new Error("witness commitment mismatch");
  }
}

/** SHA-256 calls one parse makes (each pays the runtime's per-call cost). */
function countCalls(bytes: Uint8Array, witness: boolean): number {
  let calls = 0;
  parse(
    (d) => {
      calls++;
      return platform.sha256(d);
    },
    bytes,
    witness,
  );
  return calls;
}

function table(title: string, header: string[], body: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])).join("  ");
  console.log(`\n${title}`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of body) console.log(line(r));
}

const blocks = [
  { name: "413567", bytes: vectorBytes("block-413567.raw"), witness: false },
  { name: "540107 +wc", bytes: vectorBytes("block-540107.raw"), witness: true },
];

const parseRows = blocks.map(({ name, bytes, witness }) => {
  const block = decodeBlock(bytes);
  const full = time(() => parse(platform.sha256, bytes, witness));
  const decodeOnly = time(() => decodeBlock(bytes), TARGET_MS / 2);
  const floor = time(() => sha256d(platform.sha256, bytes), TARGET_MS / 2);
  return [
    name,
    (bytes.length / 1e6).toFixed(2),
    String(block.txCount),
    String(countCalls(bytes, witness)),
    full.toFixed(3),
    (bytes.length / 1e3 / full).toFixed(0),
    decodeOnly.toFixed(3),
    floor.toFixed(3),
    (full / floor).toFixed(1),
  ];
});

table(
  `Block parse (decode + all txids + merkle [+ witness commitment]) — ${runtime}, ` +
    `sha256 = platform.sha256 (#platform)`,
  ["block", "MB", "txs", "sha calls", "ms/block", "MB/s", "decode-only ms", "floor ms", "x floor"],
  parseRows,
);

/** platform.sha256 without its batch: every message hashed by its own call (before the batch). */
const perMessage: Sha256 | undefined = platform.sha256.batch === undefined
  ? undefined
  : Object.assign((d: Uint8Array) => platform.sha256(d), {
    double: platform.sha256.double,
    doubleInto: platform.sha256.doubleInto,
  });

const hashers: [string, Sha256][] = [
  ["platform.sha256", platform.sha256],
  ...(perMessage === undefined ? [] : [["platform.sha256 without batch", perMessage]] as [
    string,
    Sha256,
  ][]),
  ["node:crypto createHash", (d) => createHash("sha256").update(d).digest()],
  ["node:crypto hash()", (d) => hash("sha256", d, "buffer")],
];
if (typeof Bun !== "undefined") {
  const bun = Bun;
  hashers.push(
    ["Bun.SHA256.hash(d)", (d) => bun.SHA256.hash(d)],
    ["Bun.SHA256.hash(d, into)", (d) => bun.SHA256.hash(d, new Uint8Array(32))],
    ["new Bun.CryptoHasher", (d) => new bun.CryptoHasher("sha256").update(d).digest()],
  );
}

const small = new Uint8Array(64).map((_, i) => i);
const big = blocks[0].bytes;
const hashRows = hashers.map(([name, sha256]) => {
  let sink = 0;
  // ms per 1000 calls = µs per call
  const perSmall = time(() => {
    for (let i = 0; i < 1000; i++) sink ^= sha256(small)[0];
  }, TARGET_MS / 4);
  const perBig = time(() => {
    sink ^= sha256(big)[0];
  }, TARGET_MS / 4);
  const parseMs = time(() => parse(sha256, big, false), TARGET_MS / 2);
  if (sink === -1) console.log(sink); // keeps the results alive
  return [name, perSmall.toFixed(3), perBig.toFixed(3), parseMs.toFixed(3)];
});

table(
  `SHA-256 implementations — ${runtime}`,
  ["sha256", "µs / 64 B call", "ms / 1 MB call", "block 413567 parse ms"],
  hashRows,
);
const withoutBatch = hashRows.find(([name]) => name === "platform.sha256 without batch");
if (withoutBatch !== undefined) {
  console.log(
    `\nbatch (WebAssembly lanes) vs per-message hashing, block 413567 parse: ` +
      `${hashRows[0][3]} ms vs ${withoutBatch[3]} ms ` +
      `(${(Number(withoutBatch[3]) / Number(hashRows[0][3])).toFixed(2)}× faster)`,
  );
}

// The result line: block 413567 (1 MB), and bcoin's parse of the same bytes under node.
const [b413] = blocks;
const r413 = parseRows[0];
const PARSE = "wire: parse 1 MB block 413567 (decode + txids + merkle)";
const DECODE = "wire: decode-only 1 MB block 413567";
const MBPS = "wire: parse throughput, block 413567";
const FLOOR = "wire: hashing floor, sha256d of the 1 MB block in one call";
printResult("wire", [
  { name: PARSE, unit: "ms", value: Number(r413[4]) },
  ...(withoutBatch === undefined ? [] : [{
    name: "wire: parse 1 MB block 413567, per-message hashing (no batch)",
    unit: "ms",
    value: Number(withoutBatch[3]),
  }]),
  { name: MBPS, unit: "MB/s", value: Number(r413[5]) },
  { name: DECODE, unit: "ms", value: Number(r413[6]) },
  { name: FLOOR, unit: "ms", value: Number(r413[7]) },
]);
const bcoin = loadBcoin();
if (typeof bcoin === "string") {
  console.log(`\nbcoin comparison skipped: ${bcoin}`);
} else {
  const Block = bcoin.bcoin.Block;
  const raw = Buffer.from(b413.bytes.buffer, b413.bytes.byteOffset, b413.bytes.byteLength);
  const full = time(() => {
    const block = Block.fromRaw(raw);
    if (block.createMerkleRoot("hex") !== block.merkleRoot) throw new Error("bcoin: bad root");
  });
  const decodeOnly = time(() => Block.fromRaw(raw), TARGET_MS / 2);
  const ours = Number(r413[4]);
  console.log(
    `\nbcoin 1.0.2, block 413567: parse (Block.fromRaw + createMerkleRoot) ${
      full.toFixed(3)
    } ms, ` +
      `${(b413.bytes.length / 1e3 / full).toFixed(0)} MB/s; decode-only ${
        decodeOnly.toFixed(3)
      } ms; ` +
      `ours/bcoin (time) ${(ours / full).toFixed(2)}`,
  );
  printResult("wire", [
    { name: PARSE, unit: "ms", value: full },
    { name: MBPS, unit: "MB/s", value: b413.bytes.length / 1e3 / full },
    { name: DECODE, unit: "ms", value: decodeOnly },
  ], "bcoin");
}
