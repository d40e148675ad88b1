/**
 * `blocktxn` (BIP152): the transactions a `getblocktxn` asked for, in the
 * order asked, each serialized with its witness (BIP144) and kept as its raw
 * bytes.
 */
import { MAX_BLOCK_TXS } from "../block.ts";
import { ByteReader, ByteWriter } from "../bytes.ts";
import { scanTx } from "../tx.ts";

/** A `blocktxn` answer. */
export interface BlockTxnMessage {
  readonly command: "blocktxn";
  /** Hash of the block, wire order (a view into the payload). */
  readonly blockHash: Uint8Array;
  /** At most `MAX_BLOCK_TXS` serialized transactions (views into the payload). */
  readonly txs: readonly Uint8Array[];
}

/**
 * Decodes a `blocktxn` payload, checking each transaction's structure (as a
 * block's are). More than `MAX_BLOCK_TXS` transactions is a bound error.
 */
export function decodeBlockTxn(payload: Uint8Array): BlockTxnMessage {
  const r = new ByteReader(payload, "blocktxn");
  const blockHash = r.bytes(32);
  const n = r.count(MAX_BLOCK_TXS, "transactions");
  const txs: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const start = r.pos;
    scanTx(r);
    txs[i] = payload.subarray(start, r.pos);
  }
  r.end();
  return { command: "blocktxn", blockHash, txs };
}

/**
 * Encodes a `blocktxn` payload (transactions copied as given). Throws
 * `RangeError` for a non-32-byte hash or too many transactions.
 */
export function encodeBlockTxn(msg: BlockTxnMessage): Uint8Array {
  const n = msg.txs.length;
  if (msg.blockHash.length !== 32) throw new RangeError("blocktxn: the hash must be 32 bytes");
  if (n > MAX_BLOCK_TXS) {
    throw new RangeError(`blocktxn: ${n} transactions exceed the limit of ${MAX_BLOCK_TXS}`);
  }
  let size = 32 + 9;
  for (const tx of msg.txs) size += tx.length;
  const w = new ByteWriter(size).bytes(msg.blockHash).varint(n);
  for (const tx of msg.txs) w.bytes(tx);
  return w.finish();
}
