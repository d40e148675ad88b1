/**
 * BIP152 short ids: the SipHash key from header and nonce, and every short id
 * of blocks 413567 and 540107 (wtxid, and txid for version 1) and of
 * rust-bitcoin's regtest block, against the vectors.
 */
import { describe, expect, test } from "bun:test";
import { blockTxids, blockWtxids, decodeBlock } from "../../src/wire/block.ts";
import { fromHex, hexToHash, toHex } from "../../src/wire/bytes.ts";
import { SHORT_ID_SIZE, shortIdKey, shortIds, writeShortIds } from "../../src/wire/short_ids.ts";
import { type SipKey, sipKey } from "../../src/wire/siphash.ts";
import { nodeSha256 as sha256, vectorBytes } from "../support/vectors.ts";
import { CMPCTBLOCKS, RUST_BITCOIN } from "./bip152_vectors.ts";

/** The short ids of `hashes` by both paths, checked equal (WebAssembly, and the TypeScript fallback). */
function bothPaths(key: SipKey, hashes: Uint8Array): Uint8Array {
  const ids = shortIds(key, hashes);
  const fallback = new Uint8Array(ids.length);
  writeShortIds(key, hashes, fallback);
  expect(toHex(fallback)).toBe(toHex(ids));
  return ids;
}

/** `bytes` cut into hex strings of `size` bytes. */
function split(bytes: Uint8Array, size: number): string[] {
  const out: string[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(toHex(bytes.subarray(at, at + size)));
  return out;
}

describe("shortIdKey", () => {
  for (const v of CMPCTBLOCKS) {
    test(`${v.block_file}: k0/k1 from SHA-256(header ‖ nonce)`, () => {
      const header = fromHex(v.header_hex);
      expect(toHex(sha256(concatNonce(header, BigInt(v.nonce))))).toBe(v.sha256_header_nonce_hex);
      const key = shortIdKey(sha256, header, BigInt(v.nonce));
      expect(key).toEqual(sipKey(fromHex(v.sha256_header_nonce_hex)));
      expect(key).toEqual(u64Key(v.siphash_k0_hex, v.siphash_k1_hex));
    });
  }

  test("rust-bitcoin's block: a nonce above 2^53", () => {
    const c = RUST_BITCOIN.cmpctblock;
    expect(BigInt(c.nonce_decimal)).toBe(BigInt(c.nonce));
    const key = shortIdKey(sha256, fromHex(c.block_hex).subarray(0, 80), BigInt(c.nonce));
    expect(key).toEqual(u64Key(c.siphash_k0_hex, c.siphash_k1_hex));
  });

  test("needs exactly an 80-byte header", () => {
    expect(() => shortIdKey(sha256, new Uint8Array(79), 0n)).toThrow(RangeError);
    expect(() => shortIdKey(sha256, new Uint8Array(81), 0n)).toThrow(RangeError);
  });
});

describe("shortIds", () => {
  for (const v of CMPCTBLOCKS) {
    test(`${v.block_file}: all ${v.short_ids.length} wtxid short ids`, () => {
      const block = decodeBlock(vectorBytes(v.block_file));
      expect(block.txCount).toBe(v.tx_count);
      const key = shortIdKey(sha256, block.bytes.subarray(0, 80), BigInt(v.nonce));
      const ids = bothPaths(key, blockWtxids(sha256, block).subarray(32));
      expect(ids.length).toBe((v.tx_count - 1) * SHORT_ID_SIZE);
      expect(split(ids, SHORT_ID_SIZE)).toEqual(v.short_ids);
    });

    test(`${v.block_file}: the worked examples, one hash at a time`, () => {
      const key = u64Key(v.siphash_k0_hex, v.siphash_k1_hex);
      for (const e of v.worked_examples) {
        const input = hexToHash(e.wtxid);
        expect(toHex(input)).toBe(e.siphash_input_hex);
        expect(toHex(bothPaths(key, input))).toBe(e.short_id_wire_hex);
        expect(v.short_ids[e.index - 1]).toBe(e.short_id_wire_hex);
      }
    });
  }

  test("block 540107: version 1 (txid) short ids differ exactly at the segwit transactions", () => {
    const v = CMPCTBLOCKS[1];
    const block = decodeBlock(vectorBytes(v.block_file));
    const key = shortIdKey(sha256, block.bytes.subarray(0, 80), BigInt(v.nonce));
    const v1 = split(bothPaths(key, blockTxids(sha256, block).subarray(32)), SHORT_ID_SIZE);
    expect(v1).toEqual(v.short_ids_v1_txid!);
    let differ = 0;
    for (let i = 1; i < block.txCount; i++) {
      expect(v1[i - 1] !== v.short_ids[i - 1]).toBe(block.witnessOffsets[i] !== 0);
      if (v1[i - 1] !== v.short_ids[i - 1]) differ++;
    }
    expect(differ).toBe(103);
  });

  test("rust-bitcoin's block: its one short id", () => {
    const c = RUST_BITCOIN.cmpctblock;
    const block = decodeBlock(fromHex(c.block_hex));
    const key = shortIdKey(sha256, block.bytes.subarray(0, 80), BigInt(c.nonce));
    expect(split(bothPaths(key, blockWtxids(sha256, block).subarray(32)), 6)).toEqual(c.short_ids);
  });

  test("no hashes, no ids; a partial hash is refused", () => {
    const key = sipKey(new Uint8Array(16));
    expect(bothPaths(key, new Uint8Array(0)).length).toBe(0);
    expect(() => shortIds(key, new Uint8Array(33))).toThrow(RangeError);
  });
});

/** The SipKey of k0 and k1 given as u64 digits (big-endian hex), as the vectors write them. */
function u64Key(k0Hex: string, k1Hex: string): ReturnType<typeof sipKey> {
  const bytes = new Uint8Array(16);
  bytes.set(fromHex(k0Hex).reverse(), 0);
  bytes.set(fromHex(k1Hex).reverse(), 8);
  return sipKey(bytes);
}

/** header ‖ nonce (u64 LE). */
function concatNonce(header: Uint8Array, nonce: bigint): Uint8Array {
  const out = new Uint8Array(88);
  out.set(header);
  new DataView(out.buffer).setBigUint64(80, nonce, true);
  return out;
}
