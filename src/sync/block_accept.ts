/**
 * Block acceptance for relay: is this block, as received, one we may keep
 * and pass on? The checks are those of Core's `BLOCK` handler and
 * `ProcessNewBlock` that need no UTXO set, in Core's order:
 *
 * 1. It deserializes (`decode`), holds at least one transaction and stays
 *    within the size and transaction-count limits (`bad-blk-length`) and
 *    the weight limit (`bad-blk-weight`).
 * 2. Its hash meets its nBits (`bad-pow`, Core `high-hash`).
 * 3. Its body matches its header (Core `IsBlockMutated`; see
 *    `checkBlockBody`): merkle root, no CVE-2012-2459 duplication, no
 *    64-byte transaction when the first is not a coinbase, and the witness
 *    commitment once segwit is active at its height
 *    (`NetworkParams.segwitHeight`), no witness data before.
 * 4. The first transaction and only it is a coinbase (`bad-cb-missing`,
 *    `bad-cb-multiple`, Core `CheckBlock`).
 * 5. Its header is known, or connects to a known header and passes every
 *    header rule (it is then added to the chain); a block whose parent is
 *    unknown is an orphan, for the caller's `OrphanPool`.
 * 6. Anti-DoS (Core `min_pow_checked` and `AcceptBlock`): a block from a
 *    peer whose new header would leave its chain below the chain's
 *    `antiDosWorkThreshold` is ignored and its header not stored
 *    (`too-little-chainwork`); one we did not ask for is ignored unless its
 *    chain has at least our tip's work and the minimum chain work
 *    (`unrequested`), so a cheap side branch cannot make us keep or relay
 *    anything. Its header, when valid and above the threshold, is kept all
 *    the same, as Core keeps it.
 *
 * Transactions and scripts are not validated (Core's CheckTransaction,
 * sigop count, BIP34 coinbase height and finality need either the UTXO set
 * or more than an edge node keeps): this is an edge node.
 */
import type { Sha256 } from "../platform/hash.ts";
import {
  type Block,
  blockHash,
  decodeBlock,
  isCoinbaseTx,
  MAX_BLOCK_SERIALIZED_SIZE,
  MAX_BLOCK_TXS,
  MAX_BLOCK_WEIGHT,
} from "../wire/block.ts";
import { BLOCK_HEADER_SIZE } from "../wire/block_header.ts";
import { type BlockBodyProblem, checkBlockBody } from "../wire/block_check.ts";
import { DecodeError } from "../wire/errors.ts";
import type { AcceptedHeader, HeaderChain } from "./header_chain.ts";
import { HeaderError, type HeaderErrorKind } from "./header_error.ts";
import { powProblem } from "./pow.ts";

/** Why a block was refused. */
export type BlockRejectReason =
  /** The bytes are not a block (truncated, malformed, trailing bytes). */
  | "decode"
  /** No transaction, or over the size or transaction-count limit (Core `bad-blk-length`). */
  | "bad-blk-length"
  /** Over the weight limit (Core `bad-blk-weight`). */
  | "bad-blk-weight"
  /** The first transaction is not a coinbase. */
  | "bad-cb-missing"
  /** A transaction other than the first is a coinbase. */
  | "bad-cb-multiple"
  /** Its parent block was found invalid (the caller checks: Core `bad-prevblk`). */
  | "bad-prevblk"
  /** The body does not match the header (the block was mutated in transit or forged). */
  | BlockBodyProblem
  /** The header was refused (its proof of work, difficulty, times, version…). */
  | Exclude<HeaderErrorKind, "duplicate" | "unknown-parent">;

/** Why a valid block was not kept (nobody's fault: no penalty). */
export type BlockIgnoreReason =
  /** Its new header would leave its chain below the anti-DoS work threshold. */
  | "too-little-chainwork"
  /** Not asked for, and its chain has less work than our tip or than the minimum. */
  | "unrequested";

/**
 * How a block came: asked of a peer (`requested`), pushed by a peer that
 * was not asked (`unrequested`), or submitted locally (`local`, Core's
 * `submitblock`: no anti-DoS rule applies).
 */
export type BlockOrigin = "requested" | "unrequested" | "local";

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
    /** Valid as far as checked, but not kept (see `BlockIgnoreReason`). */
    readonly status: "ignored";
    readonly hash: Uint8Array;
    readonly reason: BlockIgnoreReason;
    /** What it lacked, for logs. */
    readonly message: string;
    /** Its header when that was added to the chain all the same, else null. */
    readonly header: AcceptedHeader | null;
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

/** The decode failure as Core's CheckBlock names it, or "decode" when the bytes are no block. */
function decodeReason(bytes: Uint8Array, error: DecodeError): BlockRejectReason {
  if (error.kind === "bound" && error.bound === MAX_BLOCK_TXS) return "bad-blk-length";
  if (error.kind === "bound" && error.bound === MAX_BLOCK_WEIGHT) return "bad-blk-weight";
  // A transaction count of zero right after the header.
  if (bytes.length > BLOCK_HEADER_SIZE && bytes[BLOCK_HEADER_SIZE] === 0) return "bad-blk-length";
  return "decode";
}

/**
 * Checks one block and, when its header is new, connects and has the work
 * `origin` requires, adds the header to `chain`. `origin` defaults to
 * "local" (no anti-DoS rule).
 */
export function acceptBlock(
  chain: HeaderChain,
  sha256: Sha256,
  bytes: Uint8Array,
  origin: BlockOrigin = "local",
): BlockAcceptResult {
  if (bytes.length > MAX_BLOCK_SERIALIZED_SIZE) {
    return {
      status: "rejected",
      hash: null,
      reason: "bad-blk-length",
      message: `block of ${bytes.length} bytes exceeds the limit of ${MAX_BLOCK_SERIALIZED_SIZE}`,
      mutated: false,
    };
  }
  let block: Block;
  try {
    block = decodeBlock(bytes);
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error;
    const reason = decodeReason(bytes, error);
    return {
      status: "rejected",
      hash: null,
      reason,
      message: error.message,
      // Weight may come from witness data a relayer stuffed in: this copy, not the block.
      mutated: reason === "bad-blk-weight",
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
  if (!isCoinbaseTx(block, 0)) {
    return reject("bad-cb-missing", "first transaction is not a coinbase");
  }
  for (let i = 1; i < block.txCount; i++) {
    if (isCoinbaseTx(block, i)) return reject("bad-cb-multiple", `transaction ${i} is a coinbase`);
  }

  if (known) {
    const ignored = unrequestedProblem(chain, origin, known.chainWork);
    if (ignored !== null) return { status: "ignored", hash, ...ignored, header: null };
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
  const chainWork = parent.chainWork + chain.workOf(block.header.bits);
  const threshold = chain.antiDosWorkThreshold();
  if (origin !== "local" && chainWork < threshold) {
    return {
      status: "ignored",
      hash,
      reason: "too-little-chainwork",
      message: `its chain's work 0x${chainWork.toString(16)} is below the anti-DoS threshold ` +
        `0x${threshold.toString(16)}`,
      header: null,
    };
  }
  let header: AcceptedHeader;
  try {
    header = chain.acceptHeader(bytes.subarray(0, BLOCK_HEADER_SIZE), hash);
  } catch (error) {
    if (!(error instanceof HeaderError)) throw error;
    // Both were ruled out above (the header is new and its parent known).
    if (error.kind === "duplicate" || error.kind === "unknown-parent") throw error;
    return reject(error.kind, error.message);
  }
  const ignored = unrequestedProblem(chain, origin, chainWork);
  if (ignored !== null) return { status: "ignored", hash, ...ignored, header };
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
}

/**
 * Why a block we did not ask for is not kept (Core AcceptBlock, `!fRequested`):
 * its chain has less work than our tip, or than the minimum chain work. Null
 * when it may be kept. Core's third rule, a block more than 288 above the
 * active tip, has no counterpart: our active chain is the best header chain.
 */
function unrequestedProblem(
  chain: HeaderChain,
  origin: BlockOrigin,
  chainWork: bigint,
): { reason: "unrequested"; message: string } | null {
  if (origin !== "unrequested") return null;
  if (chainWork < chain.tipWork) {
    return { reason: "unrequested", message: "not asked for, and less work than our tip" };
  }
  if (chainWork < chain.params.minimumChainWork) {
    return { reason: "unrequested", message: "not asked for, and below the minimum chain work" };
  }
  return null;
}
