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
 * The `cmpctblock` of `block` under `nonce`. `txids` (from `blockTxids`),
 * when the caller has them, saves hashing again the transactions without
 * witness, whose wtxid is their txid. The coinbase and the short ids are
 * views or fresh arrays; nothing of `block` is copied.
 */
export function buildCmpctBlock(
  sha256: Sha256,
  block: Block,
  nonce: bigint,
  txids?: Uint8Array,
): CmpctBlockMessage {
  const key = shortIdKey(sha256, block.bytes.subarray(0, BLOCK_HEADER_SIZE), nonce);
  const wtxids = blockWtxids(sha256, block, txids);
  return {
    command: "cmpctblock",
    header: block.header,
    nonce,
    shortIds: shortIds(key, wtxids.subarray(32)),
    prefilled: [{ index: 0, tx: blockTx(block, 0) }],
  };
}
