/**
 * Block acceptance for relay: is this block, as received, one we may pass on?
 *
 * In order: it decodes within the size, weight and transaction-count limits;
 * its hash meets its nBits; its body matches its header (merkle root, no
 * CVE-2012-2459 duplication, no 64-byte transaction, and, once segwit is
 * active at its height (`NetworkParams.segwitHeight`), the witness
 * commitment; see `checkBlockBody`); the first transaction and only it is a
 * coinbase; and its header is known and valid (best chain or a side branch)
 * or connects to a known header and passes every header rule (it is then
 * added to the chain). A block whose parent is unknown is an orphan: the
 * caller keeps it in the `OrphanPool`.
 * Transactions and scripts are not validated: this is an edge node.
 */
import type { Sha256 } from "../platform/hash.ts";
import { type Block, blockHash, decodeBlock } from "../wire/block.ts";
import { BLOCK_HEADER_SIZE } from "../wire/block_header.ts";
import { type BlockBodyProblem, checkBlockBody } from "../wire/block_check.ts";
import { DecodeError } from "../wire/errors.ts";
import type { AcceptedHeader, HeaderChain } from "./header_chain.ts";
import { HeaderError, type HeaderErrorKind } from "./header_error.ts";
import { powProblem } from "./pow.ts";

/** Why a block was refused. */
export type BlockRejectReason =
  /** Malformed, or over a size, weight or count limit (`DecodeError`). */
  | "decode"
  /** The first transaction is not a coinbase. */
  | "bad-cb-missing"
  /** A transaction other than the first is a coinbase. */
  | "bad-cb-multiple"
  /** The body does not match the header (the block was mutated in transit or forged). */
  | BlockBodyProblem
  /** The header was refused (its proof of work, difficulty, times…). */
  | Exclude<HeaderErrorKind, "duplicate" | "unknown-parent">;

/** The outcome of `acceptBlock`. */
export type BlockAcceptResult =
  | {
    /** Valid for relay. */
    readonly status: "accepted";
    /** Block hash, wire order. */
    readonly hash: Uint8Array;
    readonly block: Block;
    readonly height: number;
    /** True when its header is on the best chain. */
    readonly onBestChain: boolean;
    /** What adding its header did, or null when the header was already known. */
    readonly header: AcceptedHeader | null;
    /** Every txid, back to back (from the merkle check). */
    readonly txids: Uint8Array;
    /** Every wtxid, back to back, when the witness-commitment check hashed them. */
    readonly wtxids: Uint8Array | null;
  }
  | {
    /** Its parent is unknown: hold it and ask the sender for the parent. */
    readonly status: "orphan";
    readonly hash: Uint8Array;
    readonly block: Block;
    /** The missing parent, wire order. */
    readonly prevHash: Uint8Array;
  }
  | {
    readonly status: "rejected";
    /** Block hash when the block decoded, else null. */
    readonly hash: Uint8Array | null;
    readonly reason: BlockRejectReason;
    /** What was wrong, for logs. */
    readonly message: string;
    /**
     * True when the body fails its header's commitments: this copy is bad,
     * but the header (and a correct copy of the block) may still be valid.
     */
    readonly mutated: boolean;
  };

/**
 * True when transaction `i` of `block` is a coinbase (one input spending the
 * null outpoint). Reads the bytes in place, no reader per transaction:
 * `decodeBlock` has checked the layout, and its compact sizes are canonical,
 * so an input count of one is the single byte 1.
 */
function isCoinbase(block: Block, i: number): boolean {
  const bytes = block.bytes;
  let at = block.txOffsets[i] + 4;
  if (bytes[at] === 0) at += 2; // segwit marker and flags
  if (bytes[at] !== 1) return false;
  at++;
  for (let j = 0; j < 32; j++) if (bytes[at + j] !== 0) return false;
  for (let j = 32; j < 36; j++) if (bytes[at + j] !== 0xff) return false;
  return true;
}

/** Checks one received block and, when its header is new and connects, adds the header. */
export function acceptBlock(
  chain: HeaderChain,
  sha256: Sha256,
  bytes: Uint8Array,
): BlockAcceptResult {
  let block: Block;
  try {
    block = decodeBlock(bytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    return {
      status: "rejected",
      hash: null,
      reason: "decode",
      message: error.message,
      mutated: false,
    };
  }
  const hash = blockHash(sha256, block);
  const reject = (reason: BlockRejectReason, message: string, mutated = false) =>
    ({ status: "rejected", hash, reason, message, mutated }) as const;

  const pow = powProblem(hash, block.header.bits, chain.params.powLimit);
  if (pow !== null) return reject("bad-pow", `proof of work fails (${pow})`);

  const known = chain.info(hash);
  const parent = known ? undefined : chain.info(block.header.prevBlock);
  const height = known ? known.height : parent ? parent.height + 1 : undefined;
  const checkWitness = height === undefined || height >= chain.params.segwitHeight;
  const body = checkBlockBody(sha256, block, checkWitness);
  if (body.problem !== null) {
    return reject(body.problem, `block body does not match its header (${body.problem})`, true);
  }
  if (!isCoinbase(block, 0)) return reject("bad-cb-missing", "first transaction is not a coinbase");
  for (let i = 1; i < block.txCount; i++) {
    if (isCoinbase(block, i)) return reject("bad-cb-multiple", `transaction ${i} is a coinbase`);
  }

  if (known) {
    return {
      status: "accepted",
      hash,
      block,
      height: known.height,
      onBestChain: known.onBestChain,
      header: null,
      txids: body.txids,
      wtxids: body.wtxids,
    };
  }
  if (!parent) {
    return { status: "orphan", hash, block, prevHash: block.header.prevBlock };
  }
  try {
    const header = chain.acceptHeader(bytes.subarray(0, BLOCK_HEADER_SIZE));
    return {
      status: "accepted",
      hash,
      block,
      height: header.height,
      onBestChain: header.status !== "side",
      header,
      txids: body.txids,
      wtxids: body.wtxids,
    };
  } catch (error) {
    if (!(error instanceof HeaderError)) throw error;
    // Both were ruled out above (the header is new and its parent known).
    if (error.kind === "duplicate" || error.kind === "unknown-parent") throw error;
    return reject(error.kind, error.message);
  }
}
