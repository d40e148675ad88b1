/**
 * `getblocktxn` (BIP152): the transactions of a compact block the requester
 * could not fill in, by index (differentially encoded).
 */
import { MAX_BLOCK_TXS } from "../block.ts";
import { ByteReader, ByteWriter } from "../bytes.ts";
import { readDifferentialIndex, writeDifferentialIndex } from "../differential_index.ts";

/** A `getblocktxn` request. */
export interface GetBlockTxnMessage {
  readonly command: "getblocktxn";
  /** Hash of the block, wire order (a view into the payload). */
  readonly blockHash: Uint8Array;
  /**
   * Absolute transaction indexes, strictly increasing, each at most
   * `MAX_TX_INDEX`; at most `MAX_BLOCK_TXS` of them (more cannot all lie in
   * a block, so Core would find one out of range).
   */
  readonly indexes: readonly number[];
}

/**
 * Decodes a `getblocktxn` payload. More than `MAX_BLOCK_TXS` indexes or one
 * past `MAX_TX_INDEX` is a bound error.
 */
export function decodeGetBlockTxn(payload: Uint8Array): GetBlockTxnMessage {
  const r = new ByteReader(payload, "getblocktxn");
  const blockHash = r.bytes(32);
  const n = r.count(MAX_BLOCK_TXS, "indexes");
  const indexes: number[] = new Array(n);
  let previous = -1;
  for (let i = 0; i < n; i++) {
    previous = indexes[i] = readDifferentialIndex(r, previous, "getblocktxn");
  }
  r.end();
  return { command: "getblocktxn", blockHash, indexes };
}

/**
 * Encodes a `getblocktxn` payload. Throws `RangeError` for a non-32-byte
 * hash, too many indexes, or indexes not strictly increasing within bounds.
 */
export function encodeGetBlockTxn(msg: GetBlockTxnMessage): Uint8Array {
  const n = msg.indexes.length;
  if (msg.blockHash.length !== 32) throw new RangeError("getblocktxn: the hash must be 32 bytes");
  if (n > MAX_BLOCK_TXS) {
    throw new RangeError(`getblocktxn: ${n} indexes exceed the limit of ${MAX_BLOCK_TXS}`);
  }
  const w = new ByteWriter(32 + 9 + n * 3).bytes(msg.blockHash).varint(n);
  let previous = -1;
  for (const index of msg.indexes) {
    writeDifferentialIndex(w, index, previous, "getblocktxn");
    previous = index;
  }
  return w.finish();
}
