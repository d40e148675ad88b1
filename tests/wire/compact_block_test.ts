/**
 * `cmpctblock`: built from blocks 413567, 540107 and rust-bitcoin's regtest
 * block, encoded byte for byte as the vectors; decoded back to the same
 * fields; malformed payloads give typed errors.
 */
import { describe, expect, test } from "bun:test";
import { MAX_BLOCK_TXS } from "../../src/wire/block.ts";
import { blockTx, blockTxids, blockWtxids, decodeBlock } from "../../src/wire/block.ts";
import { decodeBlockHeader, encodeBlockHeader } from "../../src/wire/block_header.ts";
import { ByteWriter, fromHex, toHex } from "../../src/wire/bytes.ts";
import { buildCmpctBlock } from "../../src/wire/compact_block.ts";
import { MAX_TX_INDEX } from "../../src/wire/differential_index.ts";
import { decodeMessage, encodeMessage } from "../../src/wire/message.ts";
import { type CmpctBlockMessage, cmpctBlockTxCount } from "../../src/wire/messages/cmpctblock.ts";
import { decodeErrorOf } from "../support/assertions.ts";
import { nodeSha256 as sha256, vectorBytes } from "../support/vectors.ts";
import { CMPCTBLOCKS, RUST_BITCOIN } from "./bip152_vectors.ts";

/** Decodes `payload` as a `cmpctblock` (fails the test for any other outcome). */
function decodeCmpct(payload: Uint8Array): CmpctBlockMessage {
  const msg = decodeMessage("cmpctblock", payload);
  if (msg.command !== "cmpctblock") throw new Error(`decoded as ${msg.command}`);
  return msg;
}

const VECTORS = [
  ...CMPCTBLOCKS.map((v) => ({
    name: v.block_file,
    block: vectorBytes(v.block_file),
    nonce: BigInt(v.nonce),
    shortIds: v.short_ids,
    payload: v.cmpctblock_payload_hex,
  })),
  {
    name: "rust-bitcoin regtest block",
    block: fromHex(RUST_BITCOIN.cmpctblock.block_hex),
    nonce: BigInt(RUST_BITCOIN.cmpctblock.nonce_decimal),
    shortIds: RUST_BITCOIN.cmpctblock.short_ids,
    payload: RUST_BITCOIN.cmpctblock.cmpctblock_hex,
  },
];

describe("buildCmpctBlock and the codec on the vectors", () => {
  for (const v of VECTORS) {
    test(`${v.name}: built from the block, encoded byte for byte`, () => {
      const block = decodeBlock(v.block);
      const built = buildCmpctBlock(sha256, block, v.nonce);
      expect(toHex(encodeMessage(built))).toBe(v.payload);
      // Given the wtxids (computed from the txids), the same message.
      const wtxids = blockWtxids(sha256, block, blockTxids(sha256, block));
      expect(toHex(encodeMessage(buildCmpctBlock(sha256, block, v.nonce, wtxids)))).toBe(v.payload);
      expect(() => buildCmpctBlock(sha256, block, v.nonce, wtxids.subarray(32))).toThrow(
        RangeError,
      );
      expect(cmpctBlockTxCount(built)).toBe(block.txCount);
      expect(built.prefilled.length).toBe(1);
      expect(built.prefilled[0].index).toBe(0);
      expect(built.prefilled[0].tx).toEqual(blockTx(block, 0));
    });

    test(`${v.name}: decoded to the same fields, re-encoded byte for byte`, () => {
      const payload = fromHex(v.payload);
      const block = decodeBlock(v.block);
      const msg = decodeCmpct(payload);
      expect(encodeBlockHeader(msg.header)).toEqual(block.bytes.subarray(0, 80));
      expect(msg.nonce).toBe(v.nonce);
      expect(toHex(msg.shortIds)).toBe(v.shortIds.join(""));
      expect(msg.prefilled.map((p) => p.index)).toEqual([0]);
      expect(msg.prefilled[0].tx).toEqual(blockTx(block, 0));
      expect(cmpctBlockTxCount(msg)).toBe(block.txCount);
      expect(toHex(encodeMessage(msg))).toBe(v.payload);
    });
  }

  test("the payload sizes are the vectors'", () => {
    for (const v of CMPCTBLOCKS) {
      expect(fromHex(v.cmpctblock_payload_hex).length).toBe(v.cmpctblock_payload_len);
    }
  });

  test("several prefilled transactions round-trip with their differential indexes", () => {
    const block = decodeBlock(VECTORS[1].block);
    const built = buildCmpctBlock(sha256, block, 7n);
    const prefilled = [0, 1, 5, 200].map((index) => ({ index, tx: blockTx(block, index) }));
    const msg = { ...built, shortIds: built.shortIds.subarray(3 * 6), prefilled };
    const payload = encodeMessage(msg);
    const back = decodeCmpct(payload);
    expect(back.prefilled.map((p) => p.index)).toEqual([0, 1, 5, 200]);
    expect(back.prefilled.map((p) => p.tx)).toEqual(prefilled.map((p) => p.tx));
    expect(cmpctBlockTxCount(back)).toBe(block.txCount);
    expect(encodeMessage(back)).toEqual(payload);
  });
});

describe("malformed cmpctblock payloads", () => {
  const good = fromHex(CMPCTBLOCKS[1].cmpctblock_payload_hex);
  const header = fromHex(CMPCTBLOCKS[1].header_hex);
  const coinbase = blockTx(decodeBlock(vectorBytes(CMPCTBLOCKS[1].block_file)), 0);

  /** header ‖ nonce ‖ `ids` short ids ‖ prefilled as (index gap, tx) pairs. */
  function payload(ids: number, prefilled: Array<[number, Uint8Array]>): Uint8Array {
    const w = new ByteWriter().bytes(header).u64le(1n).varint(ids);
    w.bytes(new Uint8Array(ids * 6).fill(9)).varint(prefilled.length);
    for (const [gap, tx] of prefilled) w.varint(gap).bytes(tx);
    return w.finish();
  }

  test("the helper builds a valid payload", () => {
    const msg = decodeCmpct(payload(3, [[0, coinbase], [2, coinbase]]));
    expect(msg.prefilled.map((p) => p.index)).toEqual([0, 3]);
    expect(cmpctBlockTxCount(msg)).toBe(5);
    expect(decodeBlockHeader(header)).toEqual(msg.header);
  });

  test("every truncation is a DecodeError naming cmpctblock", () => {
    for (let n = 0; n < good.length; n++) {
      const e = decodeErrorOf(() => decodeMessage("cmpctblock", good.subarray(0, n)));
      // Inside the coinbase a count can outrun the bytes left first.
      expect(["truncated", "bound"]).toContain(e.kind);
    }
  });

  test("a trailing byte", () => {
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(decodeErrorOf(() => decodeMessage("cmpctblock", longer)).kind).toBe("trailing");
  });

  test("short ids plus prefilled past MAX_BLOCK_TXS is a bound error, before any tx is read", () => {
    const e = decodeErrorOf(() =>
      decodeMessage("cmpctblock", payload(MAX_BLOCK_TXS, [[0, coinbase]]))
    );
    expect([e.kind, e.bound, e.command]).toEqual(["bound", MAX_BLOCK_TXS, "cmpctblock"]);
    expect(decodeCmpct(payload(MAX_BLOCK_TXS - 1, [[0, coinbase]])).shortIds.length).toBe(
      (MAX_BLOCK_TXS - 1) * 6,
    );
    // A huge prefilled count is refused without allocating for it.
    const huge = new ByteWriter().bytes(header).u64le(1n).varint(0).u8(0xff).u64le(2n ** 52n);
    expect(decodeErrorOf(() => decodeMessage("cmpctblock", huge.finish())).kind).toBe("bound");
  });

  test("a short id count past the bytes is truncated, not allocated", () => {
    const w = new ByteWriter().bytes(header).u64le(1n).varint(MAX_BLOCK_TXS).bytes(
      new Uint8Array(6),
    );
    expect(decodeErrorOf(() => decodeMessage("cmpctblock", w.finish())).kind).toBe("truncated");
  });

  test("no transaction at all is invalid (Core: InitData)", () => {
    expect(decodeErrorOf(() => decodeMessage("cmpctblock", payload(0, []))).kind).toBe("invalid");
  });

  test("a prefilled index past the last transaction is invalid", () => {
    // 2 short ids + 1 prefilled = 3 transactions: index 2 is the last one, 3 is past it.
    expect(decodeCmpct(payload(2, [[2, coinbase]])).prefilled[0].index).toBe(2);
    const e = decodeErrorOf(() => decodeMessage("cmpctblock", payload(2, [[3, coinbase]])));
    expect([e.kind, e.command]).toEqual(["invalid", "cmpctblock"]);
    const second = decodeErrorOf(() =>
      decodeMessage("cmpctblock", payload(1, [[0, coinbase], [2, coinbase]]))
    );
    expect(second.kind).toBe("invalid");
  });

  test("a differential index past 16 bits is a bound error (Core: differential value overflow)", () => {
    const e = decodeErrorOf(() =>
      decodeMessage("cmpctblock", payload(1, [[0, coinbase], [MAX_TX_INDEX, coinbase]]))
    );
    expect([e.kind, e.bound]).toEqual(["bound", MAX_TX_INDEX]);
    const huge = decodeErrorOf(() =>
      decodeMessage("cmpctblock", payload(1, [[2 ** 40, coinbase]]))
    );
    expect([huge.kind, huge.bound]).toEqual(["bound", MAX_TX_INDEX]);
  });

  test("a null prefilled transaction is invalid (Core: InitData)", () => {
    const nullTx = fromHex("01000000" + "00" + "00" + "00000000");
    const e = decodeErrorOf(() => decodeMessage("cmpctblock", payload(1, [[0, nullTx]])));
    expect([e.kind, e.command]).toEqual(["invalid", "cmpctblock"]);
  });

  test("a malformed prefilled transaction is a DecodeError", () => {
    const badFlags = coinbase.slice();
    badFlags[5] = 0x02; // segwit marker followed by an unknown flag
    expect(decodeErrorOf(() => decodeMessage("cmpctblock", payload(1, [[0, badFlags]]))).kind).toBe(
      "invalid",
    );
  });

  test("a non-canonical count is invalid", () => {
    const w = new ByteWriter().bytes(header).u64le(1n).u8(0xfd).u16le(1).bytes(new Uint8Array(6));
    w.varint(1).varint(0).bytes(coinbase);
    expect(decodeErrorOf(() => decodeMessage("cmpctblock", w.finish())).kind).toBe("invalid");
  });

  test("the encoder refuses what the decoder would", () => {
    const msg = decodeCmpct(good);
    const bad: CmpctBlockMessage[] = [
      { ...msg, shortIds: msg.shortIds.subarray(1) },
      { ...msg, shortIds: new Uint8Array(0), prefilled: [] },
      { ...msg, shortIds: new Uint8Array(MAX_BLOCK_TXS * 6) },
      { ...msg, prefilled: [msg.prefilled[0], msg.prefilled[0]] },
      { ...msg, prefilled: [{ index: msg.shortIds.length / 6 + 1, tx: coinbase }] },
      { ...msg, prefilled: [{ index: -1, tx: coinbase }] },
    ];
    for (const m of bad) expect(() => encodeMessage(m)).toThrow(RangeError);
  });
});
