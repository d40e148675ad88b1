/**
 * Building a BIP152 compact block (version 2) from a full block, as Core
 * does (CBlockHeaderAndShortTxIDs from a CBlock): the coinbase prefilled, a
 * wtxid short id for every other transaction, under the caller's nonce
 * (random in a node: the nonce keys the short ids, so a fixed one would let
 * others aim collisions at us).
 */
import type { Sha256 } from "../platform/hash.ts";
import { type Block, blockTx, blockWtxids } from "./block.ts";
import { BLOCK_HEADER_SIZE } from "./block_header.ts";
import type { CmpctBlockMessage } from "./messages/cmpctblock.ts";
import { shortIdKey, shortIds } from "./short_ids.ts";

/**
 * The `cmpctblock` of `block` under `nonce`. `wtxids` (from `blockWtxids`,
 * which the witness-commitment check also needs) saves hashing the
 * transactions again. The coinbase is a view into `block`, the short ids a
 * fresh array.
 */
export function buildCmpctBlock(
  sha256: Sha256,
  block: Block,
  nonce: bigint,
  wtxids: Uint8Array = blockWtxids(sha256, block),
): CmpctBlockMessage {
  if (wtxids.length !== block.txCount * 32) {
    throw new RangeError(`${wtxids.length} bytes of wtxids for ${block.txCount} transactions`);
  }
  const key = shortIdKey(sha256, block.bytes.subarray(0, BLOCK_HEADER_SIZE), nonce);
  return {
    command: "cmpctblock",
    header: block.header,
    nonce,
    shortIds: shortIds(key, wtxids.subarray(32)),
    prefilled: [{ index: 0, tx: blockTx(block, 0) }],
  };
}
