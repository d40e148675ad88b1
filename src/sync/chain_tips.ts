/**
 * The branch tips of the header chain as Core's `getchaintips` shows them:
 * each tip's hash, height, the length of its branch off the best chain, and
 * a status. Core's statuses mean, here:
 *
 * - `active`: the best chain's tip;
 * - `valid-headers`: every block of the branch was received and accepted
 *   (header and body checks; as in Core, its scripts are not validated);
 * - `headers-only`: some block of the branch is not held;
 * - `invalid`: some block of the branch was found invalid.
 *
 * Core's fifth, `valid-fork` (a branch fully validated, scripts included),
 * never appears: this node validates no scripts.
 */
import { hashToHex } from "../wire/bytes.ts";
import type { HeaderChain } from "./header_chain.ts";

/** The status of a branch tip (see the file comment). */
export type ChainTipStatus = "active" | "valid-headers" | "headers-only" | "invalid";

/** One branch tip. */
export interface ChainTipView {
  /** Display-order hex. */
  readonly hash: string;
  readonly height: number;
  /** Headers between it and the best chain (0 for the active tip). */
  readonly branchLength: number;
  readonly status: ChainTipStatus;
}

/** What the tips need to know of blocks. */
export interface BlockFacts {
  /** True when block `hash` (wire order) was received and accepted. */
  held(hash: Uint8Array): boolean;
  /** True when block `hash` was found invalid. */
  invalid(hash: Uint8Array): boolean;
}

/** The active tip and up to `limit − 1` other branch tips, highest first. */
export function chainTips(chain: HeaderChain, limit: number, blocks: BlockFacts): ChainTipView[] {
  return chain.tips(limit).map((tip, i) => ({
    hash: hashToHex(tip.hash),
    height: tip.height,
    branchLength: tip.branchLength,
    status: i === 0 ? "active" : branchStatus(chain, tip.hash, tip.branchLength, blocks),
  }));
}

/** The status of the `length` headers from `tip` down to where its branch leaves the best chain. */
function branchStatus(
  chain: HeaderChain,
  tip: Uint8Array,
  length: number,
  blocks: BlockFacts,
): ChainTipStatus {
  let allHeld = true;
  let hash = tip;
  for (let i = 0; i < length; i++) {
    if (blocks.invalid(hash)) return "invalid";
    if (!blocks.held(hash)) allHeld = false;
    hash = chain.header(hash)!.subarray(4, 36);
  }
  return allHeld ? "valid-headers" : "headers-only";
}
