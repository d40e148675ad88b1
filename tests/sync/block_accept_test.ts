/** Block acceptance for relay: real blocks pass; mutated, forged and misplaced ones do not. */
import { describe, expect, test } from "bun:test";
import { acceptBlock, type BlockAcceptResult } from "../../src/sync/block_accept.ts";
import { blockTx, decodeBlock, encodeBlock } from "../../src/wire/block.ts";
import { decodeBlockHeader } from "../../src/wire/block_header.ts";
import { fromHex, hashToHex, hexToHash } from "../../src/wire/bytes.ts";
import { merkleRoot } from "../../src/wire/merkle.ts";
import { NETWORKS, withMinimumChainWork } from "../../src/wire/params.ts";
import { computeTxid, decodeTx, encodeTx } from "../../src/wire/tx.ts";
import { work } from "../../src/sync/compact_target.ts";
import { fillerTxs, RegtestMiner } from "../support/regtest_blocks.ts";
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
function regtestBlock(
  txs: Uint8Array[],
  bits = NETWORKS.regtest.powLimitBits,
  version = 4,
): Uint8Array {
  const ids = new Uint8Array(32 * txs.length);
  txs.forEach((tx, i) => ids.set(computeTxid(sha256, tx), 32 * i));
  const raw = mineHeader({
    prev: hexToHash(NETWORKS.regtest.genesisHash),
    time: REGTEST_GENESIS_TIME + 600,
    bits,
    merkleRoot: merkleRoot(sha256, ids).root,
    version,
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

/** A transaction: one input (`witness` bytes of witness when > 0), one output of `script` bytes. */
function txOf(seed: number, script: number, witness = 0): Uint8Array {
  const prevTxid = new Uint8Array(32).fill(seed);
  return encodeTx({
    version: 2,
    inputs: [{
      prevTxid,
      prevIndex: 0,
      script: new Uint8Array(0),
      sequence: 0xffffffff,
      witness: witness > 0 ? [new Uint8Array(witness)] : [],
    }],
    outputs: [{ value: 1n, script: new Uint8Array(script) }],
    lockTime: 0,
  });
}

/** A coinbase of exactly 64 bytes: scriptSig OP_1 (BIP34 height 1) + 1 byte, a 2-byte output script. */
function coinbase64(): Uint8Array {
  const tx = encodeTx({
    version: 1,
    inputs: [{
      prevTxid: new Uint8Array(32),
      prevIndex: 0xffffffff,
      script: Uint8Array.of(0x51, 0x00),
      sequence: 0xffffffff,
      witness: [],
    }],
    outputs: [{ value: 5_000_000_000n, script: Uint8Array.of(0x51, 0x51) }],
    lockTime: 0,
  });
  expect(tx.length).toBe(64);
  return tx;
}

/** `block` re-encoded with transaction `i` replaced by `tx` (same txid, so same header). */
function withTx(block: Uint8Array, i: number, tx: Uint8Array): Uint8Array {
  const txs = txsOf(block);
  txs[i] = tx;
  return encodeBlock(decodeBlock(block).header, txs);
}

const regtestChain = () => newChain(NETWORKS.regtest);
const genesisHash = hexToHash(NETWORKS.regtest.genesisHash);

/**
 * Item by item against Core (validation.cpp CheckBlock, IsBlockMutated,
 * ContextualCheckBlockHeader): each rejection with a block Core accepts and
 * one it rejects, on regtest at height 1 unless said otherwise.
 */
describe("each rejection against Core: a block Core accepts, one it rejects", () => {
  const miner = new RegtestMiner(sha256);
  const valid = miner.build(genesisHash, 1, fillerTxs(2, 300, 9));

  test("decode: a whole block decodes; one byte short does not (Core: deserialization fails)", () => {
    expect(acceptBlock(regtestChain(), sha256, valid).status).toBe("accepted");
    expectRejected(acceptBlock(regtestChain(), sha256, valid.subarray(0, -1)), "decode", false);
  });

  test("bad-blk-length: no transaction, or over 4,000,000 bytes", () => {
    expect(acceptBlock(regtestChain(), sha256, regtestBlock([regtestCoinbase])).status)
      .toBe("accepted");
    const empty = new Uint8Array(81);
    empty.set(valid.subarray(0, 80));
    expectRejected(acceptBlock(regtestChain(), sha256, empty), "bad-blk-length", false);
    expectRejected(
      acceptBlock(regtestChain(), sha256, new Uint8Array(4_000_001)),
      "bad-blk-length",
      false,
    );
  });

  test("bad-blk-weight: weight 3.9 M passes, 4.1 M within 4 MB of bytes does not", () => {
    // 300,000 stripped bytes (×4 is under the limit on its own) and a large witness.
    const heavy = (witness: number) => miner.build(genesisHash, 1, [txOf(1, 300_000, witness)]);
    const light = heavy(2_700_000);
    expect(decodeBlock(light).strippedSize * 3 + light.length).toBeLessThan(4_000_000);
    expect(acceptBlock(regtestChain(), sha256, light).status).toBe("accepted");
    const over = heavy(2_900_000);
    expect(over.length).toBeLessThan(4_000_000);
    expectRejected(acceptBlock(regtestChain(), sha256, over), "bad-blk-weight", true);
  });

  test("bad-pow (Core high-hash): the mined nonce passes, another fails", () => {
    const bytes = valid.slice();
    expect(acceptBlock(regtestChain(), sha256, bytes).status).toBe("accepted");
    for (let nonce = 1; nonce < 256; nonce++) {
      bytes[76] = (valid[76] + nonce) & 0xff;
      if (acceptBlock(regtestChain(), sha256, bytes).status === "rejected") break;
    }
    expectRejected(acceptBlock(regtestChain(), sha256, bytes), "bad-pow", false);
  });

  test("bad-txnmrklroot: transactions in their order pass, swapped they do not", () => {
    const txs = txsOf(valid);
    [txs[1], txs[2]] = [txs[2], txs[1]];
    const swapped = encodeBlock(decodeBlock(valid).header, txs);
    expectRejected(acceptBlock(regtestChain(), sha256, swapped), "bad-txnmrklroot", true);
  });

  test("bad-txns-duplicate: an odd count passes; its last transaction repeated (same root) does not", () => {
    const odd = miner.build(genesisHash, 1, [txOf(2, 40), txOf(3, 40)]);
    expect(acceptBlock(regtestChain(), sha256, odd).status).toBe("accepted");
    const txs = txsOf(odd);
    const doubled = encodeBlock(decodeBlock(odd).header, [...txs, txs[2]]);
    expectRejected(acceptBlock(regtestChain(), sha256, doubled), "bad-txns-duplicate", true);
  });

  test("64-byte transactions: a 64-byte coinbase or later transaction passes; after no coinbase it is mutated", () => {
    // Core's test framework mines 64-byte coinbases; IsBlockMutated looks at 64-byte
    // transactions only when the first one is no coinbase.
    const sixtyFour = coinbase64();
    expect(acceptBlock(regtestChain(), sha256, regtestBlock([sixtyFour])).status)
      .toBe("accepted");
    const spend64 = txOf(4, 4);
    expect(spend64.length).toBe(64);
    expect(acceptBlock(regtestChain(), sha256, regtestBlock([regtestCoinbase, spend64])).status)
      .toBe("accepted");
    expectRejected(
      acceptBlock(regtestChain(), sha256, regtestBlock([spend64])),
      "bad-txns-64-byte",
      true,
    );
  });

  test("bad-witness-nonce-size: a 32-byte reserved value passes, 31 bytes do not", () => {
    const coinbase = decodeTx(blockTx(decodeBlock(valid), 0));
    expect(coinbase.inputs[0].witness[0].length).toBe(32);
    coinbase.inputs[0].witness = [new Uint8Array(31)];
    const short = withTx(valid, 0, encodeTx(coinbase));
    expectRejected(acceptBlock(regtestChain(), sha256, short), "bad-witness-nonce-size", true);
  });

  test("bad-witness-merkle-match: the committed witness passes, a changed one does not", () => {
    const tx = decodeTx(blockTx(decodeBlock(valid), 1));
    tx.inputs[0].witness[0][5] ^= 1;
    const changed = withTx(valid, 1, encodeTx(tx));
    expectRejected(acceptBlock(regtestChain(), sha256, changed), "bad-witness-merkle-match", true);
  });

  test("unexpected-witness: witness data with no commitment, or before segwit, is mutated", () => {
    const uncommitted = regtestBlock([regtestCoinbase, ...fillerTxs(1, 300, 5)]);
    expectRejected(acceptBlock(regtestChain(), sha256, uncommitted), "unexpected-witness", true);
    // Mainnet block 1 (before segwit) passes; the same with a witness on its coinbase does not.
    expect(acceptBlock(newChain(NETWORKS.main, Date.now()), sha256, blocks[1]).status)
      .toBe("accepted");
    const coinbase = decodeTx(blockTx(decodeBlock(blocks[1]), 0));
    coinbase.inputs[0].witness = [new Uint8Array(32)];
    const witnessed = withTx(blocks[1], 0, encodeTx(coinbase));
    expectRejected(
      acceptBlock(newChain(NETWORKS.main, Date.now()), sha256, witnessed),
      "unexpected-witness",
      true,
    );
  });

  test("bad-cb-missing and bad-cb-multiple: exactly one coinbase, first", () => {
    const spend = txOf(6, 30);
    expectRejected(
      acceptBlock(regtestChain(), sha256, regtestBlock([spend])),
      "bad-cb-missing",
      false,
    );
    expectRejected(
      acceptBlock(regtestChain(), sha256, regtestBlock([regtestCoinbase, spend, otherCoinbase])),
      "bad-cb-multiple",
      false,
    );
  });

  test("bad-version (BIP34/66/65 at regtest height 1): version 4 passes, 3, 2 and 1 do not", () => {
    expect(
      acceptBlock(regtestChain(), sha256, regtestBlock([regtestCoinbase], undefined, 4)).status,
    )
      .toBe("accepted");
    for (const version of [3, 2, 1, -1]) {
      const chain = regtestChain();
      const block = regtestBlock([regtestCoinbase], undefined, version);
      expectRejected(acceptBlock(chain, sha256, block), "bad-version", false);
      expect(chain.count).toBe(1);
    }
  });
});

describe("anti-DoS: blocks from peers", () => {
  /** A regtest chain of `n` blocks (their headers stored), and the miner that built them. */
  function chainWithTip(n: number) {
    const chain = regtestChain();
    const miner = new RegtestMiner(sha256);
    for (let i = 0; i < n; i++) {
      expect(acceptBlock(chain, sha256, miner.next()).status).toBe("accepted");
    }
    return { chain, miner };
  }

  test("an unrequested block on a branch with less work than our tip is ignored; its header kept", () => {
    const { chain } = chainWithTip(3);
    const fork = new RegtestMiner(sha256, 1).next(); // height 1, off genesis
    const ignored = acceptBlock(chain, sha256, fork, "unrequested");
    expect(ignored).toMatchObject({ status: "ignored", reason: "unrequested" });
    expect(ignored.status === "ignored" && ignored.header?.status).toBe("side");
    expect(chain.count).toBe(5);
    // Asked for, the same block is accepted (a side branch we chose to fetch).
    expect(acceptBlock(chain, sha256, fork, "requested").status).toBe("accepted");
  });

  test("an unrequested block that extends our tip, or ties it, is accepted", () => {
    const { chain, miner } = chainWithTip(2);
    expect(acceptBlock(chain, sha256, miner.next(), "unrequested")).toMatchObject({
      status: "accepted",
      height: 3,
      onBestChain: true,
    });
    const tie = new RegtestMiner(sha256, 2);
    const tieChain = [tie.next(), tie.next(), tie.next()];
    for (const block of tieChain.slice(0, 2)) acceptBlock(chain, sha256, block, "requested");
    expect(acceptBlock(chain, sha256, tieChain[2], "unrequested")).toMatchObject({
      status: "accepted",
      height: 3,
      onBestChain: false,
    });
  });

  test("a block whose new header would leave its chain below the threshold: ignored, header not stored", () => {
    // 150 blocks: the threshold is 144 blocks' work below the tip, so height 6 and above.
    const { chain } = chainWithTip(150);
    expect(chain.antiDosWorkThreshold()).toBe(chain.tipWork - 144n * chain.workOf(0x207fffff));
    const low = new RegtestMiner(sha256, 3).next(); // height 1 off genesis
    for (const origin of ["unrequested", "requested"] as const) {
      expect(acceptBlock(chain, sha256, low, origin)).toMatchObject({
        status: "ignored",
        reason: "too-little-chainwork",
        header: null,
      });
    }
    expect(chain.count).toBe(151);
    // Submitted locally (Core's submitblock), no anti-DoS rule applies.
    expect(acceptBlock(chain, sha256, low, "local").status).toBe("accepted");
    expect(chain.count).toBe(152);
  });

  test("the minimum chain work: an unrequested block below it is not kept, even at our tip", () => {
    const params = withMinimumChainWork(NETWORKS.regtest, work(0x207fffff) * 10n);
    const chain = newChain(params);
    const miner = new RegtestMiner(sha256);
    const first = miner.next();
    expect(acceptBlock(chain, sha256, first, "unrequested")).toMatchObject({
      status: "ignored",
      reason: "too-little-chainwork",
    });
    expect(acceptBlock(chain, sha256, first, "local").status).toBe("accepted");
    expect(acceptBlock(chain, sha256, first, "unrequested")).toMatchObject({
      status: "ignored",
      reason: "unrequested",
      header: null,
    });
  });
});
