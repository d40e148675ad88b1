/**
 * Blocks: header plus transactions. Decoding walks the bytes once and records
 * where each transaction (and its witness section) is, in typed arrays; the
 * raw bytes are kept, nothing is copied, and no object is built per
 * transaction. Txids, wtxids and the merkle root are computed from those
 * offsets on demand.
 */
import type { Sha256 } from "../platform/hash.ts";
import { ByteReader, bytesEqual, ByteWriter } from "./bytes.ts";
import { DecodeError } from "./errors.ts";
import { sha256dInto } from "./hash.ts";
import {
  type BlockHeader,
  blockHeaderHash,
  readBlockHeader,
  writeBlockHeader,
} from "./block_header.ts";
import { type MerkleResult, merkleRoot } from "./merkle.ts";
import { scanTx, strippedTxSize, stripWitness } from "./tx.ts";

/** Largest serialized block, witness included (Core consensus.h). */
export const MAX_BLOCK_SERIALIZED_SIZE = 4_000_000;
/** Largest block weight (BIP141). */
export const MAX_BLOCK_WEIGHT = 4_000_000;
/** Weight of a non-witness byte; a witness byte weighs 1 (BIP141). */
export const WITNESS_SCALE_FACTOR = 4;
/**
 * Weight of the smallest valid transaction: 60 non-witness bytes (version,
 * one minimal input, one minimal output, lockTime) (Core consensus.h).
 */
export const MIN_TRANSACTION_WEIGHT = WITNESS_SCALE_FACTOR * 60;
/** Most transactions a valid block can hold: 16,666. */
export const MAX_BLOCK_TXS = Math.floor(MAX_BLOCK_WEIGHT / MIN_TRANSACTION_WEIGHT);

/** A decoded block: its bytes and where each transaction lies in them. */
export interface Block {
  /** The serialized block (the caller's buffer, not a copy). */
  readonly bytes: Uint8Array;
  readonly header: BlockHeader;
  readonly txCount: number;
  /** `txCount + 1` offsets: transaction `i` is `bytes[txOffsets[i], txOffsets[i + 1])`. */
  readonly txOffsets: Uint32Array;
  /** Per transaction, where its witness section starts in `bytes`; 0 when it has none. */
  readonly witnessOffsets: Uint32Array;
  /** Transactions that carry witness data. */
  readonly segwitTxCount: number;
  /** Size of the block serialized without witness data. */
  readonly strippedSize: number;
}

/** The merkle root recomputed from the transactions, checked against the header. */
export interface MerkleCheck extends MerkleResult {
  /** True when `root` equals the header's merkle root. */
  matchesHeader: boolean;
}

/**
 * Decodes a serialized block: the header, then every transaction's bounds.
 * Throws `DecodeError` for truncated, oversized (size, weight, transaction
 * count), trailing or malformed input, and for a block with no transaction.
 */
export function decodeBlock(bytes: Uint8Array): Block {
  if (bytes.length > MAX_BLOCK_SERIALIZED_SIZE) {
    throw new DecodeError(
      "bound",
      `block of ${bytes.length} bytes exceeds the limit of ${MAX_BLOCK_SERIALIZED_SIZE}`,
      { command: "block", bound: MAX_BLOCK_SERIALIZED_SIZE },
    );
  }
  const r = new ByteReader(bytes, "block");
  const header = readBlockHeader(r);
  const txCount = r.count(MAX_BLOCK_TXS, "transactions");
  if (txCount === 0) {
    throw new DecodeError("invalid", "block has no transactions; the coinbase is required", {
      command: "block",
    });
  }
  const txOffsets = new Uint32Array(txCount + 1);
  const witnessOffsets = new Uint32Array(txCount);
  let segwitTxCount = 0;
  let witnessBytes = 0;
  for (let i = 0; i < txCount; i++) {
    const start = r.pos;
    const witness = scanTx(r);
    txOffsets[i] = start;
    if (witness !== 0) {
      witnessOffsets[i] = witness;
      segwitTxCount++;
      witnessBytes += r.pos - start - strippedTxSize(start, witness, r.pos);
    }
  }
  txOffsets[txCount] = r.pos;
  r.end();
  const strippedSize = bytes.length - witnessBytes;
  const weight = weightOf(strippedSize, bytes.length);
  if (weight > MAX_BLOCK_WEIGHT) {
    const message = `block weight ${weight} exceeds the limit of ${MAX_BLOCK_WEIGHT}`;
    throw new DecodeError("bound", message, { command: "block", bound: MAX_BLOCK_WEIGHT });
  }
  return { bytes, header, txCount, txOffsets, witnessOffsets, segwitTxCount, strippedSize };
}

/** The block hash (sha256d of the header), wire order. */
export function blockHash(sha256: Sha256, block: Block): Uint8Array {
  return blockHeaderHash(sha256, block.bytes);
}

/** BIP141 weight: stripped size × 3 + total size. */
export function blockWeight(block: Block): number {
  return weightOf(block.strippedSize, block.bytes.length);
}

function weightOf(strippedSize: number, totalSize: number): number {
  return strippedSize * (WITNESS_SCALE_FACTOR - 1) + totalSize;
}

/** Transaction `i` as serialized in the block (a view, witness included). */
export function blockTx(block: Block, i: number): Uint8Array {
  if (i < 0 || i >= block.txCount) {
    throw new RangeError(`no transaction ${i} in a block of ${block.txCount}`);
  }
  return block.bytes.subarray(block.txOffsets[i], block.txOffsets[i + 1]);
}

/**
 * Every txid, back to back (32 bytes each, wire order): txid `i` is
 * `subarray(32 * i, 32 * i + 32)`. Segwit transactions are stripped into one
 * scratch buffer reused for the whole block.
 */
export function blockTxids(sha256: Sha256, block: Block): Uint8Array {
  const { bytes, txCount, txOffsets, witnessOffsets } = block;
  const out = new Uint8Array(txCount * 32);
  let scratchSize = 0;
  if (block.segwitTxCount !== 0) {
    for (let i = 0; i < txCount; i++) {
      const witness = witnessOffsets[i];
      if (witness !== 0) {
        scratchSize = Math.max(
          scratchSize,
          strippedTxSize(txOffsets[i], witness, txOffsets[i + 1]),
        );
      }
    }
  }
  const scratch = new Uint8Array(scratchSize);
  for (let i = 0; i < txCount; i++) {
    const start = txOffsets[i];
    const end = txOffsets[i + 1];
    const witness = witnessOffsets[i];
    const data = witness === 0
      ? bytes.subarray(start, end)
      : scratch.subarray(0, stripWitness(bytes, start, witness, end, scratch));
    sha256dInto(sha256, data, out, i * 32);
  }
  return out;
}

/**
 * Every wtxid, laid out like `blockTxids`. The coinbase's wtxid is 32 zero
 * bytes (BIP141). For transactions without witness the wtxid is the txid,
 * taken from `txids` when given instead of hashing again.
 */
export function blockWtxids(sha256: Sha256, block: Block, txids?: Uint8Array): Uint8Array {
  const { bytes, txCount, txOffsets, witnessOffsets } = block;
  const out = new Uint8Array(txCount * 32);
  for (let i = 1; i < txCount; i++) {
    if (witnessOffsets[i] === 0 && txids) {
      out.set(txids.subarray(i * 32, i * 32 + 32), i * 32);
    } else {
      sha256dInto(sha256, bytes.subarray(txOffsets[i], txOffsets[i + 1]), out, i * 32);
    }
  }
  return out;
}

/**
 * Recomputes the merkle root (from `txids`, or hashing them now) and compares
 * it with the header's. A block is only the one its header commits to when
 * `matchesHeader && !mutated`.
 */
export function checkMerkleRoot(sha256: Sha256, block: Block, txids?: Uint8Array): MerkleCheck {
  const { root, mutated } = merkleRoot(sha256, txids ?? blockTxids(sha256, block), block.txCount);
  return { root, mutated, matchesHeader: bytesEqual(root, block.header.merkleRoot) };
}

/**
 * True when transaction `i` of `block` is a coinbase: one input, spending
 * the null outpoint (Core CTransaction::IsCoinBase). Reads the bytes in
 * place, no reader per transaction: `decodeBlock` has checked the layout,
 * and its compact sizes are canonical, so an input count of one is the
 * single byte 1.
 */
export function isCoinbaseTx(block: Block, i: number): boolean {
  const bytes = block.bytes;
  let at = block.txOffsets[i] + 4;
  if (bytes[at] === 0) at += 2; // segwit marker and flags
  if (bytes[at] !== 1) return false;
  at++;
  for (let j = 0; j < 32; j++) if (bytes[at + j] !== 0) return false;
  for (let j = 32; j < 36; j++) if (bytes[at + j] !== 0xff) return false;
  return true;
}

/**
 * True when some transaction's non-witness serialization is exactly 64 bytes:
 * such a transaction could be passed off as an inner merkle node. Core calls
 * a block mutated for it only when its first transaction is no coinbase
 * (`checkBlockBody`): a 64-byte transaction is otherwise consensus-valid.
 */
export function hasSixtyFourByteTx(block: Block): boolean {
  const { txCount, txOffsets, witnessOffsets } = block;
  for (let i = 0; i < txCount; i++) {
    if (strippedTxSize(txOffsets[i], witnessOffsets[i], txOffsets[i + 1]) === 64) return true;
  }
  return false;
}

/** Serializes a block from its header and serialized transactions. */
export function encodeBlock(header: BlockHeader, txs: readonly Uint8Array[]): Uint8Array {
  const w = new ByteWriter(80 + 9 + txs.reduce((sum, tx) => sum + tx.length, 0));
  writeBlockHeader(w, header);
  w.varint(txs.length);
  for (const tx of txs) w.bytes(tx);
  return w.finish();
}
