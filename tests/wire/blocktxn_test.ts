/**
 * `getblocktxn` and `blocktxn`: the vectors' payloads (blocks 413567 and
 * 540107, Core's edge cases, rust-bitcoin's cases) in both directions, and
 * malformed payloads as typed errors.
 */
import { describe, expect, test } from "bun:test";
import { blockTx, decodeBlock } from "../../src/wire/block.ts";
import { ByteWriter, fromHex, hashToHex, hexToHash, toHex } from "../../src/wire/bytes.ts";
import { MAX_TX_INDEX } from "../../src/wire/differential_index.ts";
import { decodeMessage, encodeMessage, type Message } from "../../src/wire/message.ts";
import type { BlockTxnMessage } from "../../src/wire/messages/blocktxn.ts";
import type { GetBlockTxnMessage } from "../../src/wire/messages/getblocktxn.ts";
import { computeTxid, computeWtxid } from "../../src/wire/tx.ts";
import { decodeErrorOf } from "../support/assertions.ts";
import { nodeSha256 as sha256, vectorBytes } from "../support/vectors.ts";
import { BLOCKTXN, RUST_BITCOIN } from "./bip152_vectors.ts";

function decodeGet(payload: Uint8Array): GetBlockTxnMessage {
  const msg = decodeMessage("getblocktxn", payload);
  if (msg.command !== "getblocktxn") throw new Error(`decoded as ${msg.command}`);
  return msg;
}

function decodeTxn(payload: Uint8Array): BlockTxnMessage {
  const msg = decodeMessage("blocktxn", payload);
  if (msg.command !== "blocktxn") throw new Error(`decoded as ${msg.command}`);
  return msg;
}

const BLOCKS: Record<string, string> = {
  "0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069": "block-413567.raw",
  "00000000000000000021868c2cefc52a480d173c849412fe81c4e5ab806f94ab": "block-540107.raw",
};

describe("getblocktxn", () => {
  for (const v of [BLOCKTXN.getblocktxn_413567, BLOCKTXN.getblocktxn_540107_segwit]) {
    test(`block ${v.block_hash.slice(-8)}: indexes ${v.indexes_absolute.join(",")}`, () => {
      const msg = decodeGet(fromHex(v.payload_hex));
      expect(hashToHex(msg.blockHash)).toBe(v.block_hash);
      expect(msg.indexes).toEqual(v.indexes_absolute);
      const differential = v.indexes_absolute.map((x, i, a) => i === 0 ? x : x - a[i - 1] - 1);
      expect(differential).toEqual(v.indexes_differential);
      const built: Message = {
        command: "getblocktxn",
        blockHash: hexToHash(v.block_hash),
        indexes: v.indexes_absolute,
      };
      expect(toHex(encodeMessage(built))).toBe(v.payload_hex);
    });
  }

  test("rust-bitcoin's differential cases, both directions", () => {
    for (const c of RUST_BITCOIN.getblocktxn_cases) {
      const msg = decodeGet(fromHex(c.payload_hex));
      expect(msg.indexes).toEqual(c.indexes_absolute);
      expect(toHex(encodeMessage(msg))).toBe(c.payload_hex);
    }
  });

  test("rust-bitcoin's u64 overflows are DecodeErrors", () => {
    for (const c of RUST_BITCOIN.getblocktxn_must_fail) {
      const e = decodeErrorOf(() => decodeMessage("getblocktxn", fromHex(c.payload_hex)));
      expect(e.command).toBe("getblocktxn");
    }
  });

  test("Core's edge cases: index 65535 decodes, a list climbing to 65536 is a bound error", () => {
    const [max, overflow] = BLOCKTXN.edge_cases;
    expect(max.name).toBe("max_index");
    const msg = decodeGet(fromHex(max.payload_hex));
    expect(msg.indexes).toEqual([MAX_TX_INDEX]);
    expect(toHex(encodeMessage(msg))).toBe(max.payload_hex);
    expect(overflow.name).toBe("overflow");
    const e = decodeErrorOf(() => decodeMessage("getblocktxn", fromHex(overflow.payload_hex)));
    expect([e.kind, e.bound, e.command]).toEqual(["bound", MAX_TX_INDEX, "getblocktxn"]);
  });

  test("truncations and a trailing byte", () => {
    const good = fromHex(BLOCKTXN.getblocktxn_413567.payload_hex);
    for (let n = 0; n < good.length; n++) {
      expect(decodeErrorOf(() => decodeMessage("getblocktxn", good.subarray(0, n))).kind).toBe(
        "truncated",
      );
    }
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(decodeErrorOf(() => decodeMessage("getblocktxn", longer)).kind).toBe("trailing");
  });

  test("the encoder refuses indexes that do not increase within 16 bits, and a bad hash", () => {
    const hash = new Uint8Array(32);
    const bad: GetBlockTxnMessage[] = [
      { command: "getblocktxn", blockHash: hash, indexes: [1, 1] },
      { command: "getblocktxn", blockHash: hash, indexes: [2, 1] },
      { command: "getblocktxn", blockHash: hash, indexes: [-1] },
      { command: "getblocktxn", blockHash: hash, indexes: [1.5] },
      { command: "getblocktxn", blockHash: hash, indexes: [MAX_TX_INDEX + 1] },
      { command: "getblocktxn", blockHash: new Uint8Array(31), indexes: [] },
    ];
    for (const m of bad) expect(() => encodeMessage(m)).toThrow(RangeError);
  });
});

describe("blocktxn", () => {
  for (const v of [BLOCKTXN.blocktxn_413567, BLOCKTXN.blocktxn_540107_segwit]) {
    test(`block ${v.block_hash.slice(-8)}: transactions ${v.indexes_absolute.join(",")}`, () => {
      const payload = fromHex(v.payload_hex);
      expect(payload.length).toBe(v.payload_len);
      const block = decodeBlock(vectorBytes(BLOCKS[v.block_hash]));
      const msg = decodeTxn(payload);
      expect(hashToHex(msg.blockHash)).toBe(v.block_hash);
      expect(msg.txs).toEqual(v.indexes_absolute.map((i) => blockTx(block, i)));
      expect(msg.txs.map((tx) => hashToHex(computeTxid(sha256, tx)))).toEqual(v.txids);
      if (v.wtxids) {
        expect(msg.txs.map((tx) => hashToHex(computeWtxid(sha256, tx)))).toEqual(v.wtxids);
      }
      const built: Message = {
        command: "blocktxn",
        blockHash: hexToHash(v.block_hash),
        txs: v.indexes_absolute.map((i) => blockTx(block, i)),
      };
      expect(toHex(encodeMessage(built))).toBe(v.payload_hex);
    });
  }

  test("truncations, a trailing byte, a malformed transaction", () => {
    const good = fromHex(BLOCKTXN.blocktxn_540107_segwit.payload_hex);
    for (let n = 0; n < good.length; n++) {
      const e = decodeErrorOf(() => decodeMessage("blocktxn", good.subarray(0, n)));
      // Inside a transaction a count can outrun the bytes left first.
      expect(["truncated", "bound"]).toContain(e.kind);
    }
    const longer = new Uint8Array(good.length + 1);
    longer.set(good);
    expect(decodeErrorOf(() => decodeMessage("blocktxn", longer)).kind).toBe("trailing");
    const badFlags = good.slice();
    badFlags[32 + 1 + 5] = 0x03; // the first transaction's segwit flag
    expect(decodeErrorOf(() => decodeMessage("blocktxn", badFlags)).kind).toBe("invalid");
  });

  test("an empty answer round-trips; the encoder refuses a bad hash", () => {
    const empty = new ByteWriter().bytes(new Uint8Array(32)).varint(0).finish();
    expect(encodeMessage(decodeTxn(empty))).toEqual(empty);
    expect(() => encodeMessage({ command: "blocktxn", blockHash: new Uint8Array(33), txs: [] }))
      .toThrow(RangeError);
  });
});
