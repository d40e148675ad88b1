/**
 * The WebAssembly multi-buffer SHA-256d (adapters/shared/wasm_sha256.ts):
 * the embedded binary is what the generator and wabt make of the source, the
 * batch agrees with node:crypto at every padding boundary and range layout,
 * and every hashing path (plain calls, the TypeScript hasher, the Node and
 * Deno hybrids with their batch, lanes only, native only, the platform's)
 * gives the same txids, wtxids, merkle roots and witness commitments on
 * every block in the vectors.
 */
import { describe, expect, test } from "bun:test";
import { platform } from "#platform";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  DENO_BATCH_NATIVE_MIN,
  denoSha256,
  NODE_BATCH_NATIVE_MIN,
  nodeSha256 as nodeHybrid,
} from "../../../adapters/shared/hybrid_sha256.ts";
import { smallSha256, smallSha256dInto } from "../../../adapters/shared/sha256_small.ts";
import { SHA256_WASM_BASE64 } from "../../../adapters/shared/sha256_wasm_binary.ts";
import { wasmSha256Available, wasmSha256Batch } from "../../../adapters/shared/wasm_sha256.ts";
import { binaryModule, compileWat, generateWat } from "../../../scripts/gen_sha256_wasm.ts";
import type { Sha256 } from "../../../src/platform/hash.ts";
import { blockTxids, blockWtxids, checkMerkleRoot, decodeBlock } from "../../../src/wire/block.ts";
import { toHex } from "../../../src/wire/bytes.ts";
import { sha256d64Into, sha256dRanges } from "../../../src/wire/hash.ts";
import { merkleRoot } from "../../../src/wire/merkle.ts";
import { checkWitnessCommitment } from "../../../src/wire/witness.ts";
import { mainnetBlocks, nodeSha256, vectorBytes } from "../../support/vectors.ts";

/** SHA-256(SHA-256(data)) by node:crypto, hex. */
function reference2(data: Uint8Array): string {
  return createHash("sha256").update(createHash("sha256").update(data).digest()).digest("hex");
}

/** Deterministic bytes. */
function bytes(length: number, seed: number): Uint8Array {
  let x = seed * 2654435761 >>> 0;
  return Uint8Array.from({ length }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
}

/**
 * Longest a test of many blocks or the module's first compile may take: seconds
 * on a quiet machine, but JavaScriptCore compiles both the module and the
 * unrolled TypeScript hasher slowly, and a shared machine is slower still.
 */
const SLOW_TEST_MS = 60_000;

/** The batch of each path that has one: as the adapters set it, lanes only, native only. */
const batches = {
  "node hybrid": nodeHybrid.batch!,
  "deno hybrid": denoSha256.batch!,
  "lanes only": wasmSha256Batch(Infinity, nodeHybrid.doubleInto!),
  "native only": wasmSha256Batch(0, nodeHybrid.doubleInto!),
  "lanes below 200 bytes": wasmSha256Batch(200, denoSha256.doubleInto!),
};

/** Every way the core can be handed SHA-256. */
const hashers: Record<string, Sha256> = {
  "plain node:crypto (no double, no batch)": nodeSha256,
  "TypeScript, no batch": Object.assign((d: Uint8Array) => smallSha256(d), {
    doubleInto: smallSha256dInto,
  }),
  "platform.sha256": platform.sha256,
  ...Object.fromEntries(
    Object.entries(batches).map(([name, batch]) => [
      name,
      Object.assign((d: Uint8Array) => nodeSha256(d), { batch }),
    ]),
  ),
};

describe("the embedded WebAssembly module", () => {
  test("is the generator's WAT compiled by wabt", async () => {
    const wat = generateWat();
    const path = fileURLToPath(
      new URL("../../../adapters/shared/sha256_wasm.wat", import.meta.url),
    );
    expect(wat === readFileSync(path, "utf8")).toBe(true);
    const binary = await compileWat(wat);
    const embedded = Uint8Array.from(atob(SHA256_WASM_BASE64), (c) => c.charCodeAt(0));
    expect(toHex(binary) === toHex(embedded)).toBe(true);
    const tsPath = fileURLToPath(
      new URL("../../../adapters/shared/sha256_wasm_binary.ts", import.meta.url),
    );
    expect(binaryModule(binary) === readFileSync(tsPath, "utf8")).toBe(true);
  }, SLOW_TEST_MS);

  test("runs under this runtime (WebAssembly SIMD)", () => {
    expect(wasmSha256Available()).toBe(true);
  }, SLOW_TEST_MS);

  test("the adapters' thresholds keep short transactions in the lanes", () => {
    expect(NODE_BATCH_NATIVE_MIN).toBeGreaterThan(500);
    expect(DENO_BATCH_NATIVE_MIN).toBeGreaterThan(500);
  });
});

describe("double64", () => {
  for (const [name, batch] of Object.entries(batches)) {
    test(`${name}: any count, apart and in place`, () => {
      for (const count of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 1000]) {
        const data = bytes(64 * count, count);
        const want = Array.from(
          { length: count },
          (_, i) => reference2(data.subarray(64 * i, 64 * i + 64)),
        ).join("");
        // Apart, into a longer buffer whose tail must stay untouched.
        const out = new Uint8Array(32 * count + 8).fill(0xee);
        batch.double64(data, out, count);
        expect(toHex(out.subarray(0, 32 * count))).toBe(want);
        expect(out.subarray(32 * count).every((b) => b === 0xee)).toBe(true);
        // In place, from a view at an odd offset.
        const host = new Uint8Array(64 * count + 3);
        host.set(data, 3);
        const view = host.subarray(3);
        batch.double64(view, view, count);
        expect(toHex(view.subarray(0, 32 * count))).toBe(want);
      }
    });
  }

  test("a count larger than the buffers is a RangeError", () => {
    expect(() => batches["lanes only"].double64(new Uint8Array(64), new Uint8Array(64), 2))
      .toThrow(RangeError);
    expect(() => batches["lanes only"].double64(new Uint8Array(128), new Uint8Array(32), 2))
      .toThrow(RangeError);
  });
});

describe("doubleRanges", () => {
  const source = bytes(20_000, 7);

  /** Checks `count` messages of `ranges` through every batch and the core fallback. */
  function check(ranges: Uint32Array, count: number): void {
    const want: string[] = [];
    for (let i = 0; i < count; i++) {
      const parts = [0, 2, 4].map((k) => source.subarray(ranges[6 * i + k], ranges[6 * i + k + 1]));
      const message = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        message.set(p, at);
        at += p.length;
      }
      want.push(reference2(message));
    }
    for (const [name, sha256] of Object.entries(hashers)) {
      const out = new Uint8Array(32 * count + 8).fill(0xee);
      sha256dRanges(sha256, source, ranges, count, out);
      expect(`${name}: ${toHex(out.subarray(0, 32 * count))}`).toBe(`${name}: ${want.join("")}`);
      expect(out.subarray(32 * count).every((b) => b === 0xee)).toBe(true);
    }
  }

  test("every length from 0 to 300 bytes (each padding boundary), one range", () => {
    const ranges = new Uint32Array(6 * 301);
    for (let n = 0; n <= 300; n++) [ranges[6 * n], ranges[6 * n + 1]] = [n * 13, n * 13 + n];
    check(ranges, 301);
  });

  test("three ranges each, some empty, lengths across block boundaries", () => {
    const count = 400;
    const ranges = new Uint32Array(6 * count);
    const sizes = [0, 0, 1, 3, 4, 55, 56, 63, 64, 65, 119, 120, 200, 700, 1500];
    for (let i = 0; i < count; i++) {
      for (let k = 0; k < 3; k++) {
        const length = sizes[(i * 7 + k * 5 + (i >> 3)) % sizes.length];
        const start = (i * 977 + k * 331) % (source.length - length);
        ranges[6 * i + 2 * k] = start;
        ranges[6 * i + 2 * k + 1] = start + length;
      }
    }
    check(ranges, count);
  });

  test("fewer messages than lanes, and none", () => {
    for (const count of [0, 1, 2, 3]) {
      const ranges = new Uint32Array(6 * count);
      for (let i = 0; i < count; i++) [ranges[6 * i], ranges[6 * i + 1]] = [i, 100 + 50 * i];
      check(ranges, count);
    }
  });

  test("a range outside the source, reversed, or too few output bytes is a RangeError", () => {
    const batch = batches["lanes only"];
    const out = new Uint8Array(64);
    const bad = [
      Uint32Array.of(0, source.length + 1, 0, 0, 0, 0),
      Uint32Array.of(10, 5, 0, 0, 0, 0),
      Uint32Array.of(0, 10, 20, 10, 0, 0),
    ];
    for (const ranges of bad) {
      expect(() => batch.doubleRanges(source, ranges, 1, out)).toThrow(RangeError);
    }
    expect(() => batch.doubleRanges(source, new Uint32Array(6), 2, out)).toThrow(RangeError);
    expect(() => batch.doubleRanges(source, new Uint32Array(12), 2, new Uint8Array(32)))
      .toThrow(RangeError);
  });
});

describe("every hashing path agrees on every block in the vectors", () => {
  const blocks: [string, Uint8Array][] = [
    ...["413567", "574200", "540107", "277647"].map((h) =>
      [h, vectorBytes(`block-${h}.raw`)] as [string, Uint8Array]
    ),
    ...mainnetBlocks().map((b, h) => [String(h), b] as [string, Uint8Array]),
  ];
  const expected = blocks.map(([, raw]) => {
    const block = decodeBlock(raw);
    const txids = blockTxids(nodeSha256, block);
    return { block, txids: toHex(txids), wtxids: toHex(blockWtxids(nodeSha256, block)) };
  });

  for (const [name, sha256] of Object.entries(hashers)) {
    test(name, () => {
      blocks.forEach(([height], k) => {
        const { block } = expected[k];
        const txids = blockTxids(sha256, block);
        expect(`${height} txids ${toHex(txids)}`).toBe(`${height} txids ${expected[k].txids}`);
        const wtxids = toHex(blockWtxids(sha256, block, txids));
        expect(`${height} wtxids ${wtxids}`).toBe(`${height} wtxids ${expected[k].wtxids}`);
        expect(toHex(blockWtxids(sha256, block)) === wtxids).toBe(true);
        const merkle = checkMerkleRoot(sha256, block, txids);
        expect(`${height} ${merkle.matchesHeader} ${merkle.mutated}`).toBe(`${height} true false`);
        const status = checkWitnessCommitment(sha256, block, txids).status;
        expect(`${height} ${status}`).toBe(
          `${height} ${block.segwitTxCount === 0 ? "none" : "valid"}`,
        );
      });
    }, SLOW_TEST_MS);
  }

  test("merkle roots and CVE-2012-2459 flags match the plain path for 1 to 40 leaves", () => {
    for (let count = 1; count <= 40; count++) {
      const leaves = bytes(32 * count, count);
      // The same list with its last two leaves repeated: mutated whenever count >= 2.
      const repeated = new Uint8Array(32 * (count + 2));
      repeated.set(leaves);
      repeated.set(leaves.subarray(32 * Math.max(0, count - 2)), 32 * count);
      for (const list of [leaves, repeated]) {
        const want = merkleRoot(nodeSha256, list);
        for (const [name, sha256] of Object.entries(hashers)) {
          const got = merkleRoot(sha256, list);
          expect(`${name} ${count}: ${toHex(got.root)} ${got.mutated}`)
            .toBe(`${name} ${count}: ${toHex(want.root)} ${want.mutated}`);
        }
      }
    }
  }, SLOW_TEST_MS);

  test("sha256d64Into without a batch is the pairwise double hash", () => {
    const data = bytes(64 * 5, 3);
    const out = new Uint8Array(32 * 5);
    sha256d64Into(nodeSha256, data, out, 5);
    for (let i = 0; i < 5; i++) {
      expect(toHex(out.subarray(32 * i, 32 * i + 32)))
        .toBe(reference2(data.subarray(64 * i, 64 * i + 64)));
    }
  });
});
