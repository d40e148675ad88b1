/**
 * Does a block body belong to its header? The checks that need no chain
 * context and that a peer can break by tampering with a valid block without
 * changing its hash (Core's IsBlockMutated): the merkle root, the
 * CVE-2012-2459 duplication, 64-byte transactions in a block whose first
 * transaction is no coinbase, and the witness commitment (or, before segwit,
 * the absence of witness data). A block failing them is not proof the
 * header is bad, only this copy.
 */
import type { Sha256 } from "../platform/hash.ts";
import {
  type Block,
  blockTxids,
  checkMerkleRoot,
  hasSixtyFourByteTx,
  isCoinbaseTx,
} from "./block.ts";
import { checkWitnessCommitment, type WitnessCommitmentStatus } from "./witness.ts";

/** Why a block body does not match its header. */
export type BlockBodyProblem =
  /** The recomputed merkle root differs from the header's. */
  | "bad-txnmrklroot"
  /** Equal neighbours in the merkle tree (CVE-2012-2459). */
  | "bad-txns-duplicate"
  /**
   * A transaction is 64 bytes without witness (could pose as a merkle node)
   * and the first is no coinbase (Core IsBlockMutated).
   */
  | "bad-txns-64-byte"
  /** The witness commitment check failed (see `WitnessCommitmentStatus`). */
  | Exclude<WitnessCommitmentStatus, "valid" | "none">;

/** Result of `checkBlockBody`. */
export interface BlockBodyCheck {
  /** Null when the body matches its header. */
  problem: BlockBodyProblem | null;
  /** Every txid, back to back (see `blockTxids`), for the caller to reuse. */
  txids: Uint8Array;
  /** Every wtxid, laid out the same, when the witness-commitment check hashed them. */
  wtxids: Uint8Array | null;
}

/**
 * Runs the body checks in Core's order (IsBlockMutated). `checkWitness` is
 * false before segwit activation: no commitment is expected then, and any
 * witness data is `unexpected-witness` (Core CheckWitnessMalleation).
 */
export function checkBlockBody(sha256: Sha256, block: Block, checkWitness = true): BlockBodyCheck {
  const txids = blockTxids(sha256, block);
  const merkle = checkMerkleRoot(sha256, block, txids);
  if (!merkle.matchesHeader) return { problem: "bad-txnmrklroot", txids, wtxids: null };
  if (merkle.mutated) return { problem: "bad-txns-duplicate", txids, wtxids: null };
  if (!isCoinbaseTx(block, 0) && hasSixtyFourByteTx(block)) {
    return { problem: "bad-txns-64-byte", txids, wtxids: null };
  }
  if (!checkWitness) {
    const problem = block.segwitTxCount === 0 ? null : "unexpected-witness";
    return { problem, txids, wtxids: null };
  }
  const { status, wtxids } = checkWitnessCommitment(sha256, block, txids);
  const problem = status === "valid" || status === "none" ? null : status;
  return { problem, txids, wtxids };
}
