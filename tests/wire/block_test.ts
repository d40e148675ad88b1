/** Blocks: every real block in the vectors decodes, hashes, and commits to its transactions. */
import { describe, expect, test } from "bun:test";
import {
  type Block,
  blockHash,
  blockTx,
  blockTxids,
  blockWeight,
  blockWtxids,
  checkMerkleRoot,
  decodeBlock,
  encodeBlock,
  hasSixtyFourByteTx,
  MAX_BLOCK_SERIALIZED_SIZE,
  MAX_BLOCK_TXS,
  MAX_BLOCK_WEIGHT,
} from "../../src/wire/block.ts";
import { checkBlockBody } from "../../src/wire/block_check.ts";
import { encodeBlockHeader } from "../../src/wire/block_header.ts";
import { bytesEqual, fromHex, hashToHex, toHex } from "../../src/wire/bytes.ts";
import { computeTxid, computeWtxid, decodeTx, encodeTx } from "../../src/wire/tx.ts";
import { checkWitnessCommitment } from "../../src/wire/witness.ts";
import { expectDecodeError } from "../support/assertions.ts";
import {
  mainnetBlocks,
  mainnetHeaderHex,
  nodeSha256 as sha256,
  vectorBytes,
} from "../support/vectors.ts";
import { WIRE } from "./wire_vectors.ts";

function txids(block: Block): string[] {
  const all = blockTxids(sha256, block);
  return Array.from(
    { length: block.txCount },
    (_, i) => hashToHex(all.subarray(i * 32, i * 32 + 32)),
  );
}

/** Decodes and checks everything a block body commits to; returns the block. */
function checkWhole(bytes: Uint8Array, segwit: boolean): Block {
  const block = decodeBlock(bytes);
  const ids = blockTxids(sha256, block);
  const merkle = checkMerkleRoot(sha256, block, ids);
  expect(hashToHex(merkle.root)).toBe(hashToHex(block.header.merkleRoot));
  expect(merkle.matchesHeader).toBe(true);
  expect(merkle.mutated).toBe(false);
  expect(checkWitnessCommitment(sha256, block, ids).status).toBe(segwit ? "valid" : "none");
  expect(checkBlockBody(sha256, block).problem).toBe(null);
  return block;
}

describe("mainnet blocks 0-255", () => {
  const blocks = mainnetBlocks();

  test("the file holds 256 blocks, each decoding to its exact length", () => {
    expect(blocks.length).toBe(256);
    for (const bytes of blocks) expect(decodeBlock(bytes).txOffsets.at(-1)).toBe(bytes.length);
  });

  test("genesis, height 1 and the tip have their known hashes", () => {
    const hash = (h: number) => hashToHex(blockHash(sha256, decodeBlock(blocks[h])));
    expect(hash(0)).toBe("000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
    expect(hash(1)).toBe("00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048");
    expect(hash(255)).toBe("00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c");
  });

  test("each header links to the hash of the one before", () => {
    let prev: Uint8Array = new Uint8Array(32);
    for (const bytes of blocks) {
      const block = decodeBlock(bytes);
      expect(toHex(block.header.prevBlock)).toBe(toHex(prev));
      prev = blockHash(sha256, block);
    }
  });

  test("every merkle root matches its header and no block is mutated", () => {
    for (const bytes of blocks) checkWhole(bytes, false);
  });

  test("headers equal mainnet-headers-0-256.hex line by line", () => {
    const lines = mainnetHeaderHex();
    expect(lines.length).toBe(256);
    blocks.forEach((bytes, h) => {
      expect(toHex(encodeBlockHeader(decodeBlock(bytes).header))).toBe(lines[h]);
    });
  });

  test("every transaction re-serializes byte for byte", () => {
    for (const bytes of blocks) {
      const block = decodeBlock(bytes);
      for (let i = 0; i < block.txCount; i++) {
        expect(toHex(encodeTx(decodeTx(blockTx(block, i))))).toBe(toHex(blockTx(block, i)));
      }
    }
  });
});

describe("large mainnet blocks", () => {
  const cases = [
    {
      file: "block-277647.raw",
      hash: "0000000000000000054a714e580b16c583701712ab91060e92dbde6eb1e052a8",
      txs: 213,
      segwitTxs: 0,
    },
    {
      file: "block-413567.raw",
      hash: "0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069",
      txs: 1557,
      segwitTxs: 0,
    },
    {
      file: "block-540107.raw",
      hash: "00000000000000000021868c2cefc52a480d173c849412fe81c4e5ab806f94ab",
      txs: 230,
      segwitTxs: 104,
    },
    {
      file: "block-574200.raw",
      hash: "0000000000000000001602407ac49862a7bca9d00f7f402db20b7be2f5de59d2",
      txs: 3315,
      segwitTxs: 1341,
    },
  ];

  for (const c of cases) {
    test(`${c.file}: hash, ${c.txs} transactions, merkle root and witness commitment`, () => {
      const bytes = vectorBytes(c.file);
      const block = checkWhole(bytes, c.segwitTxs > 0);
      expect(hashToHex(blockHash(sha256, block))).toBe(c.hash);
      expect(block.txCount).toBe(c.txs);
      expect(block.segwitTxCount).toBe(c.segwitTxs);
      expect(block.txOffsets[0]).toBe(80 + (c.txs < 0xfd ? 1 : 3));
      expect(block.txOffsets[c.txs]).toBe(bytes.length);
    });

    test(`${c.file}: every txid and wtxid agrees with the standalone transaction codec`, () => {
      const block = decodeBlock(vectorBytes(c.file));
      const ids = blockTxids(sha256, block);
      const wids = blockWtxids(sha256, block, ids);
      expect(toHex(blockWtxids(sha256, block))).toBe(toHex(wids));
      expect(toHex(wids.subarray(0, 32))).toBe("00".repeat(32));
      for (let i = 0; i < block.txCount; i++) {
        const raw = blockTx(block, i);
        const id = ids.subarray(i * 32, i * 32 + 32);
        expect(toHex(computeTxid(sha256, raw))).toBe(toHex(id));
        const tx = decodeTx(raw);
        // Third path: hash the legacy re-encoding.
        expect(toHex(computeWtxid(sha256, encodeTx(tx, false)))).toBe(toHex(id));
        expect(toHex(encodeTx(tx))).toBe(toHex(raw));
        if (i > 0) {
          expect(toHex(wids.subarray(i * 32, i * 32 + 32))).toBe(toHex(computeWtxid(sha256, raw)));
        }
        expect(block.witnessOffsets[i] !== 0).toBe(
          tx.inputs.some((input) => input.witness.length > 0),
        );
      }
    });
  }

  test("weight and stripped size of the segwit block 540107", () => {
    const block = decodeBlock(vectorBytes("block-540107.raw"));
    let stripped = 80 + 1;
    for (let i = 0; i < block.txCount; i++) {
      stripped += encodeTx(decodeTx(blockTx(block, i)), false).length;
    }
    expect(block.strippedSize).toBe(stripped);
    expect(blockWeight(block)).toBe(stripped * 3 + block.bytes.length);
    expect(blockWeight(block)).toBeLessThanOrEqual(MAX_BLOCK_WEIGHT);
    expect(block.bytes.length).toBeGreaterThan(2_000_000);
  });

  test("a legacy block's weight is four times its size", () => {
    const block = decodeBlock(vectorBytes("block-413567.raw"));
    expect(blockWeight(block)).toBe(block.bytes.length * 4);
  });

  test("block 1 matches the wire-vectors block message", () => {
    const v = WIRE.vectors.find((x) => x.name === "block_1")!;
    const block = decodeBlock(fromHex(v.payload_hex));
    const h = v.fields.header;
    expect(block.header.version).toBe(h.version);
    expect(hashToHex(block.header.prevBlock)).toBe(h.prev_block);
    expect(hashToHex(block.header.merkleRoot)).toBe(h.merkle_root);
    expect(block.header.time).toBe(h.timestamp);
    expect(block.header.bits).toBe(parseInt(h.bits, 16));
    expect(block.header.nonce).toBe(h.nonce);
    expect(hashToHex(blockHash(sha256, block))).toBe(h.hash);
    expect(txids(block)).toEqual(v.fields.txids);
    expect(block.txCount).toBe(v.fields.tx_count);
  });
});

describe("mutated blocks", () => {
  test("repeating the last transaction keeps the merkle root but is reported mutated", () => {
    for (const file of ["block-277647.raw", "block-574200.raw"]) {
      const block = decodeBlock(vectorBytes(file));
      expect(block.txCount % 2).toBe(1);
      const txs = Array.from({ length: block.txCount }, (_, i) => blockTx(block, i));
      const mutated = decodeBlock(encodeBlock(block.header, [...txs, txs[txs.length - 1]]));
      const check = checkMerkleRoot(sha256, mutated);
      expect(check.matchesHeader).toBe(true);
      expect(check.mutated).toBe(true);
      expect(bytesEqual(blockHash(sha256, mutated), blockHash(sha256, block))).toBe(true);
      expect(checkBlockBody(sha256, mutated).problem).toBe("bad-txns-duplicate");
    }
  });

  test("a changed transaction breaks the merkle root", () => {
    const bytes = vectorBytes("block-277647.raw").slice();
    const block = decodeBlock(bytes);
    bytes[block.txOffsets[5] + 10] ^= 1; // inside tx 5's first outpoint
    expect(checkMerkleRoot(sha256, decodeBlock(bytes)).matchesHeader).toBe(false);
    expect(checkBlockBody(sha256, decodeBlock(bytes)).problem).toBe("bad-txnmrklroot");
  });

  test("a changed witness keeps the txids but breaks the witness commitment", () => {
    const bytes = vectorBytes("block-540107.raw").slice();
    const block = decodeBlock(bytes);
    const i = Array.from(block.witnessOffsets).findIndex((w, j) => j > 0 && w !== 0);
    const item = decodeTx(blockTx(block, i)).inputs.flatMap((input) => input.witness).find((w) =>
      w.length > 0
    )!;
    item[0] ^= 1; // a view into `bytes`
    const broken = decodeBlock(bytes);
    expect(checkMerkleRoot(sha256, broken).matchesHeader).toBe(true);
    expect(checkWitnessCommitment(sha256, broken).status).toBe("bad-witness-merkle-match");
    expect(checkBlockBody(sha256, broken).problem).toBe("bad-witness-merkle-match");
    // Before segwit activation witness data is not allowed at all (Core: unexpected-witness).
    expect(checkBlockBody(sha256, broken, false).problem).toBe("unexpected-witness");
  });

  test("a coinbase witness that is not one 32-byte item is rejected", () => {
    const block = decodeBlock(vectorBytes("block-574200.raw"));
    const coinbase = decodeTx(blockTx(block, 0));
    expect(coinbase.inputs[0].witness.map((w) => w.length)).toEqual([32]);
    const rest = Array.from({ length: block.txCount - 1 }, (_, i) => blockTx(block, i + 1));
    for (const witness of [[new Uint8Array(31)], [new Uint8Array(32), new Uint8Array(1)]]) {
      coinbase.inputs[0].witness = witness;
      const changed = decodeBlock(encodeBlock(block.header, [encodeTx(coinbase), ...rest]));
      expect(checkMerkleRoot(sha256, changed).matchesHeader).toBe(true); // witness is not in the txid
      expect(checkWitnessCommitment(sha256, changed).status).toBe("bad-witness-nonce-size");
    }
  });

  test("witness data without a commitment is unexpected", () => {
    const block = decodeBlock(vectorBytes("block-540107.raw"));
    const coinbase = decodeTx(blockTx(block, 0));
    const before = coinbase.outputs.length;
    coinbase.outputs = coinbase.outputs.filter((o) =>
      toHex(o.script.subarray(0, 6)) !== "6a24aa21a9ed"
    );
    expect(coinbase.outputs.length).toBe(before - 1);
    const rest = Array.from({ length: block.txCount - 1 }, (_, i) => blockTx(block, i + 1));
    const changed = decodeBlock(encodeBlock(block.header, [encodeTx(coinbase), ...rest]));
    expect(checkWitnessCommitment(sha256, changed).status).toBe("unexpected-witness");
  });

  test("a transaction of 64 non-witness bytes marks the block", () => {
    // version, 1 input with a 4-byte script, 1 output with an empty script, lockTime: 64 bytes.
    const tx = fromHex(
      "01000000" + "01" + "11".repeat(36) + "04" + "51515151" + "ffffffff" + "01" + "00".repeat(8) +
        "00" + "00000000",
    );
    expect(tx.length).toBe(64);
    const genesis = decodeBlock(mainnetBlocks()[0]);
    const block = decodeBlock(encodeBlock(genesis.header, [blockTx(genesis, 0), tx]));
    expect(hasSixtyFourByteTx(block)).toBe(true);
    expect(hasSixtyFourByteTx(genesis)).toBe(false);
  });
});

describe("malformed blocks", () => {
  test("every truncation of real blocks is a DecodeError", () => {
    for (const file of ["block-277647.raw", "block-540107.raw"]) {
      const bytes = vectorBytes(file);
      const block = decodeBlock(bytes);
      const cuts = [0, 1, 79, 80, 81, 82, bytes.length >> 1, bytes.length - 1];
      for (let i = 0; i < block.txCount; i += 7) {
        cuts.push(block.txOffsets[i] + 3, block.witnessOffsets[i] + 1);
      }
      for (const cut of cuts) expectDecodeError(() => decodeBlock(bytes.subarray(0, cut)));
    }
  });

  test("a trailing byte is a DecodeError of kind trailing", () => {
    const bytes = vectorBytes("block-277647.raw");
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expectDecodeError(() => decodeBlock(longer), "trailing");
  });

  test("a block over MAX_BLOCK_SERIALIZED_SIZE is refused before parsing", () => {
    expectDecodeError(() => decodeBlock(new Uint8Array(MAX_BLOCK_SERIALIZED_SIZE + 1)), "bound");
  });

  test("a transaction count over MAX_BLOCK_TXS is a bound error", () => {
    const bytes = new Uint8Array(80 + 5 + 100);
    bytes.set([0xfe, 0x00, 0x00, 0x01, 0x00], 80); // 65,536 transactions
    expect(MAX_BLOCK_TXS).toBe(16_666);
    expectDecodeError(() => decodeBlock(bytes), "bound");
  });

  test("a block without transactions is invalid", () => {
    expectDecodeError(() => decodeBlock(new Uint8Array(81)), "invalid");
  });

  test("a block heavier than MAX_BLOCK_WEIGHT is a bound error", () => {
    const block = decodeBlock(vectorBytes("block-413567.raw"));
    const txs = Array.from({ length: block.txCount }, (_, i) => blockTx(block, i));
    const heavy = encodeBlock(block.header, [...txs, vectorBytes("tx-bb41a757.raw")]);
    expect(heavy.length).toBeLessThanOrEqual(MAX_BLOCK_SERIALIZED_SIZE);
    expectDecodeError(() => decodeBlock(heavy), "bound");
  });

  test("a lying input count is refused without reading past the end", () => {
    const genesis = mainnetBlocks()[0];
    const bytes = genesis.slice();
    bytes.set([0xfd, 0xff, 0xff], 81 + 4); // the coinbase claims 65,535 inputs
    expectDecodeError(() => decodeBlock(bytes), "bound");
  });
});
