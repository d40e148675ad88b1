/**
 * `cmpctblock` (BIP152): a block as its header, a nonce, a 6-byte short id
 * per transaction the receiver is expected to have, and the transactions it
 * is not (prefilled: at least the coinbase), each with its index in the
 * block, differentially encoded. Short ids are kept as the payload's bytes.
 *
 * Besides the byte layout, decoding checks what Core checks before
 * reconstructing (PartiallyDownloadedBlock::InitData): the message describes
 * at least one and at most `MAX_BLOCK_TXS` transactions, every prefilled
 * index lies inside that count, and no prefilled transaction is null.
 */
import { MAX_BLOCK_TXS } from "../block.ts";
import {
  BLOCK_HEADER_SIZE,
  type BlockHeader,
  readBlockHeader,
  writeBlockHeader,
} from "../block_header.ts";
import { ByteReader, ByteWriter } from "../bytes.ts";
import { readDifferentialIndex, writeDifferentialIndex } from "../differential_index.ts";
import { DecodeError } from "../errors.ts";
import { SHORT_ID_SIZE } from "../short_ids.ts";
import { scanTx } from "../tx.ts";

/**
 * Serialized size of a null transaction (no inputs, no outputs): version,
 * two zero bytes (empty input list, then flags 0 read as an empty output
 * list), lockTime. Every other transaction the scan accepts is longer; Core
 * refuses a null one as prefilled (CTransaction::IsNull in InitData).
 */
const NULL_TX_SIZE = 10;

/** One prefilled transaction. */
export interface PrefilledTx {
  /** Its absolute index in the block. */
  readonly index: number;
  /** The transaction serialized with its witness (a view into the payload when decoded). */
  readonly tx: Uint8Array;
}

/** A `cmpctblock` message. */
export interface CmpctBlockMessage {
  readonly command: "cmpctblock";
  readonly header: BlockHeader;
  /** The u64 that, with the header, keys the short ids. */
  readonly nonce: bigint;
  /**
   * The short ids of the transactions not prefilled, in block order, 6 bytes
   * each (little-endian), back to back.
   */
  readonly shortIds: Uint8Array;
  /** Prefilled transactions by increasing index. */
  readonly prefilled: readonly PrefilledTx[];
}

/** Transactions the block has: one per short id plus the prefilled ones. */
export function cmpctBlockTxCount(msg: CmpctBlockMessage): number {
  return msg.shortIds.length / SHORT_ID_SIZE + msg.prefilled.length;
}

function invalid(message: string): DecodeError {
  return new DecodeError("invalid", message, { command: "cmpctblock" });
}

/**
 * Decodes a `cmpctblock` payload. More than `MAX_BLOCK_TXS` transactions in
 * all is a bound error; no transaction at all, a prefilled index past the
 * last transaction, or a null prefilled transaction is `DecodeError("invalid")`.
 */
export function decodeCmpctBlock(payload: Uint8Array): CmpctBlockMessage {
  const r = new ByteReader(payload, "cmpctblock");
  const header = readBlockHeader(r);
  const nonce = r.u64le();
  const idCount = r.count(MAX_BLOCK_TXS, "short ids");
  const shortIds = r.bytes(idCount * SHORT_ID_SIZE);
  const prefilledCount = r.varint();
  const total = idCount + prefilledCount;
  if (total > MAX_BLOCK_TXS) {
    throw new DecodeError(
      "bound",
      `${idCount} short ids and ${prefilledCount} prefilled transactions exceed the limit of ` +
        `${MAX_BLOCK_TXS} transactions`,
      { command: "cmpctblock", bound: MAX_BLOCK_TXS },
    );
  }
  if (total === 0) throw invalid("no transactions; the coinbase is required");
  const prefilled: PrefilledTx[] = new Array(prefilledCount);
  let index = -1;
  for (let i = 0; i < prefilledCount; i++) {
    index = readDifferentialIndex(r, index, "cmpctblock");
    if (index >= total) {
      throw invalid(`prefilled index ${index} is past the block's ${total} transactions`);
    }
    const start = r.pos;
    scanTx(r);
    if (r.pos - start === NULL_TX_SIZE) throw invalid(`prefilled transaction ${index} is null`);
    prefilled[i] = { index, tx: payload.subarray(start, r.pos) };
  }
  r.end();
  return { command: "cmpctblock", header, nonce, shortIds, prefilled };
}

/**
 * Encodes a `cmpctblock` payload. Throws `RangeError` when the short ids are
 * not whole 6-byte ids, the transaction count is 0 or above `MAX_BLOCK_TXS`,
 * or the prefilled indexes do not increase within it.
 */
export function encodeCmpctBlock(msg: CmpctBlockMessage): Uint8Array {
  const { shortIds, prefilled } = msg;
  if (shortIds.length % SHORT_ID_SIZE !== 0) {
    throw new RangeError(`cmpctblock: ${shortIds.length} bytes are not whole short ids`);
  }
  const total = cmpctBlockTxCount(msg);
  if (total === 0 || total > MAX_BLOCK_TXS) {
    throw new RangeError(`cmpctblock: ${total} transactions, not within 1..${MAX_BLOCK_TXS}`);
  }
  let size = BLOCK_HEADER_SIZE + 8 + 9 + shortIds.length + 9;
  for (const p of prefilled) size += 3 + p.tx.length;
  const w = new ByteWriter(size);
  writeBlockHeader(w, msg.header);
  w.u64le(msg.nonce).varint(shortIds.length / SHORT_ID_SIZE).bytes(shortIds);
  w.varint(prefilled.length);
  let previous = -1;
  for (const p of prefilled) {
    if (p.index >= total) {
      throw new RangeError(`cmpctblock: prefilled index ${p.index} is past ${total} transactions`);
    }
    writeDifferentialIndex(w, p.index, previous, "cmpctblock");
    previous = p.index;
    w.bytes(p.tx);
  }
  return w.finish();
}
