/** Block acceptance for relay: real blocks pass; mutated, forged and misplaced ones do not. */
import { describe, expect, test } from "bun:test";
import { acceptBlock, type BlockAcceptResult } from "../../src/sync/block_accept.ts";
import { blockTx, decodeBlock, encodeBlock } from "../../src/wire/block.ts";
import { decodeBlockHeader } from "../../src/wire/block_header.ts";
import { fromHex, hashToHex, hexToHash } from "../../src/wire/bytes.ts";
import { merkleRoot } from "../../src/wire/merkle.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { computeTxid } from "../../src/wire/tx.ts";
import {
  mainnetBlocks,
  mineHeader,
  newChain,
  REGTEST_GENESIS_TIME,
  sha256,
  vectorBytes,
} from "./helpers.ts";

const blocks = mainnetBlocks();

function expectRejected(result: BlockAcceptResult, reason: string, mutated: boolean): void {
  expect(result.status).toBe("rejected");
  if (result.status === "rejected") {
    expect({ reason: result.reason, mutated: result.mutated }).toEqual({ reason, mutated });
  }
}

/** All transactions of a serialized block, as views. */
function txsOf(bytes: Uint8Array): Uint8Array[] {
  const block = decodeBlock(bytes);
  return Array.from({ length: block.txCount }, (_, i) => blockTx(block, i));
}

/** A regtest block on genesis holding `txs`, its header committing to them and mined. */
function regtestBlock(txs: Uint8Array[], bits = NETWORKS.regtest.powLimitBits): Uint8Array {
  const ids = new Uint8Array(32 * txs.length);
  txs.forEach((tx, i) => ids.set(computeTxid(sha256, tx), 32 * i));
  const raw = mineHeader({
    prev: hexToHash(NETWORKS.regtest.genesisHash),
    time: REGTEST_GENESIS_TIME + 600,
    bits,
    merkleRoot: merkleRoot(sha256, ids).root,
  });
  return encodeBlock(decodeBlockHeader(raw), txs);
}

const genesisCoinbase = (hex: string) => fromHex(hex).subarray(81);
const regtestCoinbase = genesisCoinbase(NETWORKS.regtest.genesisBlockHex);
const otherCoinbase = genesisCoinbase(NETWORKS.testnet4.genesisBlockHex);

describe("real blocks", () => {
  test("mainnet blocks 1–255 are accepted in order, each extending the chain", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    for (let height = 1; height < blocks.length; height++) {
      const result = acceptBlock(chain, sha256, blocks[height]);
      expect(result.status).toBe("accepted");
      if (result.status === "accepted") {
        expect(result.height).toBe(height);
        expect(result.onBestChain).toBe(true);
        expect(result.header?.status).toBe("extended");
      }
    }
    expect(hashToHex(chain.tip().hash)).toBe(
      "00000000d0a75c861fabf9ff7b92022f60e4afeed9331fe5aa073d8e4706fe3c",
    );
  });

  test("a block whose header is already known is accepted without touching the chain", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    const genesis = acceptBlock(chain, sha256, blocks[0]);
    expect(genesis).toMatchObject({ status: "accepted", height: 0, header: null });
    acceptBlock(chain, sha256, blocks[1]);
    expect(acceptBlock(chain, sha256, blocks[1])).toMatchObject({
      status: "accepted",
      height: 1,
      onBestChain: true,
      header: null,
    });
    expect(chain.count).toBe(2);
  });

  test("a block whose parent is unknown is an orphan naming the missing parent", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    const result = acceptBlock(chain, sha256, blocks[2]);
    expect(result.status).toBe("orphan");
    if (result.status === "orphan") {
      expect(hashToHex(result.prevHash)).toBe(
        "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048",
      );
    }
    expect(chain.count).toBe(1);
  });

  test("large legacy and segwit mainnet blocks pass every body check (orphans here)", () => {
    const chain = newChain(NETWORKS.main, Date.now());
    for (
      const name of ["block-277647.raw", "block-413567.raw", "block-574200.raw", "block-540107.raw"]
    ) {
      const result = acceptBlock(chain, sha256, vectorBytes(name));
      expect({ name, status: result.status }).toEqual({ name, status: "orphan" });
    }
  });
});

describe("rejections", () => {
  const chain = newChain(NETWORKS.main, Date.now());

  test("duplicated trailing transactions (CVE-2012-2459) are a mutated block", () => {
    const bytes = vectorBytes("block-277647.raw");
    const txs = txsOf(bytes);
    expect(txs.length % 2).toBe(1);
    const mutated = encodeBlock(decodeBlock(bytes).header, [...txs, txs[txs.length - 1]]);
    expectRejected(acceptBlock(chain, sha256, mutated), "bad-txns-duplicate", true);
  });

  test("transactions out of order no longer match the merkle root", () => {
    const bytes = vectorBytes("block-277647.raw");
    const txs = txsOf(bytes);
    [txs[1], txs[2]] = [txs[2], txs[1]];
    const swapped = encodeBlock(decodeBlock(bytes).header, txs);
    expectRejected(acceptBlock(chain, sha256, swapped), "bad-txnmrklroot", true);
  });

  test("a changed witness breaks the witness commitment", () => {
    const bytes = vectorBytes("block-574200.raw").slice();
    const block = decodeBlock(bytes);
    let i = 1;
    while (block.witnessOffsets[i] === 0) i++;
    bytes[block.txOffsets[i + 1] - 5] ^= 1; // last byte of the last witness item
    expectRejected(acceptBlock(chain, sha256, bytes), "bad-witness-merkle-match", true);
  });

  test("a changed nonce fails proof of work", () => {
    const bytes = blocks[1].slice();
    bytes[79] ^= 1;
    expectRejected(acceptBlock(chain, sha256, bytes), "bad-pow", false);
  });

  test("truncated or oversized bytes fail to decode", () => {
    const result = acceptBlock(chain, sha256, blocks[1].subarray(0, blocks[1].length - 1));
    expectRejected(result, "decode", false);
    expect(result.status === "rejected" && result.hash).toBe(null);
    expectRejected(acceptBlock(chain, sha256, new Uint8Array(4_000_001)), "bad-blk-length", false);
  });
});

describe("coinbase placement and header rules (regtest)", () => {
  test("a block with one coinbase on genesis is accepted and extends the chain", () => {
    const chain = newChain(NETWORKS.regtest);
    const result = acceptBlock(chain, sha256, regtestBlock([regtestCoinbase]));
    expect(result).toMatchObject({ status: "accepted", height: 1, onBestChain: true });
    expect(chain.tipHeight).toBe(1);
  });

  test("a first transaction that is not a coinbase is bad-cb-missing", () => {
    const spend = txsOf(vectorBytes("block-277647.raw"))[1];
    const result = acceptBlock(newChain(NETWORKS.regtest), sha256, regtestBlock([spend]));
    expectRejected(result, "bad-cb-missing", false);
  });

  test("a second coinbase is bad-cb-multiple", () => {
    const block = regtestBlock([regtestCoinbase, otherCoinbase]);
    expectRejected(
      acceptBlock(newChain(NETWORKS.regtest), sha256, block),
      "bad-cb-multiple",
      false,
    );
  });

  test("a connecting header with the wrong difficulty is refused and not stored", () => {
    const chain = newChain(NETWORKS.regtest);
    const block = regtestBlock([regtestCoinbase], 0x2000ffff);
    expectRejected(acceptBlock(chain, sha256, block), "bad-diffbits", false);
    expect(chain.count).toBe(1);
  });
});
