/**
 * Regtest blocks built and mined in process, for the sync, node, sim and
 * interop tests, the benches and the demo: a coinbase (with a BIP141
 * witness commitment when the block carries witness data), optional filler
 * transactions of a chosen size, the merkle root, and a nonce meeting
 * regtest's easy target.
 */
import type { Sha256 } from "../../src/platform/hash.ts";
import { bitsToTarget } from "../../src/sync/compact_target.ts";
import { hashToBigInt } from "../../src/sync/pow.ts";
import { encodeBlock } from "../../src/wire/block.ts";
import { blockHeaderHash, encodeBlockHeader } from "../../src/wire/block_header.ts";
import { hexToHash } from "../../src/wire/bytes.ts";
import { sha256d } from "../../src/wire/hash.ts";
import { merkleRoot } from "../../src/wire/merkle.ts";
import { NETWORKS } from "../../src/wire/params.ts";
import { computeTxid, computeWtxid, encodeTx, type Tx } from "../../src/wire/tx.ts";
import { WITNESS_COMMITMENT_HEADER } from "../../src/wire/witness.ts";

/** Regtest genesis time (Unix seconds). */
const REGTEST_GENESIS_TIME = 1296688602;
/** OP_TRUE: an anyone-can-spend output script. */
const OP_TRUE = Uint8Array.of(0x51);

/** A coinbase for `height`: scriptSig = push(height) push(tag); with a commitment output if given. */
export function coinbaseTx(height: number, tag: number, commitment?: Uint8Array): Uint8Array {
  const scriptSig = Uint8Array.of(
    0x03,
    height & 0xff,
    (height >> 8) & 0xff,
    (height >> 16) & 0xff,
    0x04,
    tag & 0xff,
    (tag >> 8) & 0xff,
    (tag >> 16) & 0xff,
    (tag >>> 24) & 0xff,
  );
  const outputs = [{ value: 5_000_000_000n, script: OP_TRUE }];
  if (commitment) {
    const script = new Uint8Array(WITNESS_COMMITMENT_HEADER.length + 32);
    script.set(WITNESS_COMMITMENT_HEADER);
    script.set(commitment, WITNESS_COMMITMENT_HEADER.length);
    outputs.push({ value: 0n, script });
  }
  const tx: Tx = {
    version: 2,
    inputs: [{
      prevTxid: new Uint8Array(32),
      prevIndex: 0xffffffff,
      script: scriptSig,
      sequence: 0xffffffff,
      witness: commitment ? [new Uint8Array(32)] : [],
    }],
    outputs,
    lockTime: 0,
  };
  return encodeTx(tx);
}

/**
 * `count` distinct segwit transactions of about `size` bytes each (one
 * input with a signature-sized witness, a P2WPKH output and an OP_RETURN
 * output padding to `size`). Not valid spends: this node checks no scripts.
 */
export function fillerTxs(count: number, size: number, seed: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const pad = Math.max(0, size - 207); // 207 bytes besides the padding
  for (let i = 0; i < count; i++) {
    const prevTxid = new Uint8Array(32);
    const view = new DataView(prevTxid.buffer);
    view.setUint32(0, seed, true);
    view.setUint32(4, i, true);
    const p2wpkh = new Uint8Array(22);
    p2wpkh[1] = 0x14;
    p2wpkh.set(prevTxid.subarray(0, 20), 2);
    const opReturn = new Uint8Array(pad + 4);
    opReturn[0] = 0x6a;
    opReturn[1] = 0x4d; // OP_PUSHDATA2
    new DataView(opReturn.buffer).setUint16(2, pad, true);
    out.push(encodeTx({
      version: 2,
      inputs: [{
        prevTxid,
        prevIndex: i & 3,
        script: new Uint8Array(0),
        sequence: 0xfffffffd,
        witness: [new Uint8Array(72).fill(0x30), new Uint8Array(33).fill(0x02)],
      }],
      outputs: [{ value: 10_000n, script: p2wpkh }, { value: 0n, script: opReturn }],
      lockTime: 0,
    }));
  }
  return out;
}

/** Builds successive regtest blocks on a tip, mining each header. */
export class RegtestMiner {
  readonly #sha256: Sha256;
  readonly #target: bigint;
  #prev: Uint8Array;
  #height = 0;
  #tag: number;

  /** Starts on regtest genesis; `tag` makes this miner's blocks differ from another's. */
  constructor(sha256: Sha256, tag = 0) {
    this.#sha256 = sha256;
    this.#target = bitsToTarget(NETWORKS.regtest.powLimitBits)!;
    this.#prev = hexToHash(NETWORKS.regtest.genesisHash);
    this.#tag = tag;
  }

  /** Height of the last block built (0: none yet). */
  get height(): number {
    return this.#height;
  }

  /** The next block on the last one built, holding `txs` after its coinbase. */
  next(txs: readonly Uint8Array[] = []): Uint8Array {
    const block = this.build(this.#prev, this.#height + 1, txs);
    this.#prev = blockHeaderHash(this.#sha256, block);
    this.#height++;
    return block;
  }

  /**
   * A block at `height` on `prev` holding `txs` after its coinbase (does not
   * move the tip), stamped `time` (Unix seconds; default genesis + 10 minutes
   * a block).
   */
  build(
    prev: Uint8Array,
    height: number,
    txs: readonly Uint8Array[] = [],
    time: number = REGTEST_GENESIS_TIME + height * 600,
  ): Uint8Array {
    const sha256 = this.#sha256;
    const wtxids = new Uint8Array(32 * (txs.length + 1));
    txs.forEach((tx, i) => wtxids.set(computeWtxid(sha256, tx), 32 * (i + 1)));
    let commitment: Uint8Array | undefined;
    if (txs.length > 0) {
      const preimage = new Uint8Array(64);
      preimage.set(merkleRoot(sha256, wtxids).root);
      commitment = sha256d(sha256, preimage);
    }
    const all = [coinbaseTx(height, this.#tag, commitment), ...txs];
    const txids = new Uint8Array(32 * all.length);
    all.forEach((tx, i) => txids.set(computeTxid(sha256, tx), 32 * i));
    const root = merkleRoot(sha256, txids).root;
    const header = {
      version: 0x20000000,
      prevBlock: prev,
      merkleRoot: root,
      time,
      bits: NETWORKS.regtest.powLimitBits,
      nonce: 0,
    };
    for (;; header.nonce++) {
      if (hashToBigInt(blockHeaderHash(sha256, encodeBlockHeader(header))) <= this.#target) break;
    }
    return encodeBlock(header, all);
  }
}
