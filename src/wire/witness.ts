/**
 * The BIP141 witness commitment: the coinbase commits to the merkle root of
 * the block's wtxids (coinbase wtxid = 32 zero bytes) in an output whose
 * script is `OP_RETURN PUSH36 aa21a9ed <32-byte commitment>`, where
 * commitment = sha256d(witness root || witness reserved value) and the
 * reserved value is the single 32-byte item of the coinbase input's witness.
 */
import type { Sha256 } from "../platform/hash.ts";
import { type Block, blockTx, blockWtxids } from "./block.ts";
import { bytesEqual } from "./bytes.ts";
import { sha256d } from "./hash.ts";
import { merkleRoot } from "./merkle.ts";
import { decodeTx, type TxOut } from "./tx.ts";

/** Script prefix of a commitment output: OP_RETURN, push 36, magic aa21a9ed. */
export const WITNESS_COMMITMENT_HEADER: Uint8Array = Uint8Array.of(
  0x6a,
  0x24,
  0xaa,
  0x21,
  0xa9,
  0xed,
);
/** Shortest commitment script: the 6-byte header and 32 bytes (Core MINIMUM_WITNESS_COMMITMENT). */
export const MIN_WITNESS_COMMITMENT_SCRIPT_SIZE = 38;
/** Size of the witness reserved value in the coinbase witness. */
export const WITNESS_RESERVED_VALUE_SIZE = 32;

/**
 * Outcome of the commitment check, named as Core names the rejections:
 * - `valid`: a commitment is present and matches;
 * - `none`: no commitment and no witness data anywhere (a legacy-style block);
 * - `unexpected-witness`: witness data but no commitment;
 * - `bad-witness-nonce-size`: commitment present but the coinbase witness is
 *   not exactly one 32-byte item;
 * - `bad-witness-merkle-match`: commitment present but it differs.
 */
export type WitnessCommitmentStatus =
  | "valid"
  | "none"
  | "unexpected-witness"
  | "bad-witness-nonce-size"
  | "bad-witness-merkle-match";

/** Result of `checkWitnessCommitment`. */
export interface WitnessCommitmentCheck {
  status: WitnessCommitmentStatus;
  /** The 32 bytes committed in the coinbase, when there is a commitment output. */
  committed: Uint8Array | null;
  /** The value recomputed from the block, when it could be computed. */
  computed: Uint8Array | null;
  /**
   * Every wtxid, back to back (see `blockWtxids`), when they were hashed to
   * compute it: a compact block of this block needs them too.
   */
  wtxids: Uint8Array | null;
}

/**
 * The 32-byte commitment in a coinbase's outputs (a view), or null. When
 * several outputs match, the last one counts.
 */
export function findWitnessCommitment(outputs: readonly TxOut[]): Uint8Array | null {
  for (let i = outputs.length - 1; i >= 0; i--) {
    const script = outputs[i].script;
    if (script.length < MIN_WITNESS_COMMITMENT_SCRIPT_SIZE) continue;
    let match = true;
    for (let j = 0; j < WITNESS_COMMITMENT_HEADER.length; j++) {
      if (script[j] !== WITNESS_COMMITMENT_HEADER[j]) match = false;
    }
    if (match) return script.subarray(6, MIN_WITNESS_COMMITMENT_SCRIPT_SIZE);
  }
  return null;
}

/**
 * Checks the block's witness commitment. `txids` (from `blockTxids`) saves
 * rehashing the transactions that have no witness.
 */
export function checkWitnessCommitment(
  sha256: Sha256,
  block: Block,
  txids?: Uint8Array,
): WitnessCommitmentCheck {
  const coinbase = decodeTx(blockTx(block, 0));
  const committed = findWitnessCommitment(coinbase.outputs);
  if (committed === null) {
    const status = block.segwitTxCount === 0 ? "none" : "unexpected-witness";
    return { status, committed, computed: null, wtxids: null };
  }
  const witness = coinbase.inputs[0]?.witness;
  if (witness?.length !== 1 || witness[0].length !== WITNESS_RESERVED_VALUE_SIZE) {
    return { status: "bad-witness-nonce-size", committed, computed: null, wtxids: null };
  }
  const wtxids = blockWtxids(sha256, block, txids);
  const { root } = merkleRoot(sha256, wtxids, block.txCount);
  const preimage = new Uint8Array(64);
  preimage.set(root);
  preimage.set(witness[0], 32);
  const computed = sha256d(sha256, preimage);
  const status = bytesEqual(computed, committed) ? "valid" : "bad-witness-merkle-match";
  return { status, committed, computed, wtxids };
}
